// Everything the section measures on the IOI model: patching, AtP and RelP per head and per (layer, position),
// the frozen-pattern check of the layer-0 head the estimates miss most, and head ablations.
import { headSites, layerPositionSites } from '@tdhook/intervention';
import { generateIoiPrompts, ioiTemplates, loadIoiModel } from '@tdhook/nlp-assets';

import type { DemoContext } from '../vision/demo-context.js';
import { frozenPatternCheck, type FrozenPatternCheck } from './frozen-pattern-check.js';
import { ablateHeads, type HeadAblation } from './head-ablation.js';
import { ioiPairs } from './ioi-pairs.js';
import { comparePatching, type PatchingComparison } from './ioi-patching.js';

/** The prompt pairs patched: held-out prompts of the first template (one length). */
export const patchedPrompts = { count: 16, template: 0, seed: 21 } as const;

/** The IOI measurements, for the report. */
export interface IoiResults {
  readonly heads: PatchingComparison;
  readonly positions: PatchingComparison;
  readonly frozen: FrozenPatternCheck;
  readonly ablation: HeadAblation;
  readonly positionCount: number;
  readonly example: { readonly clean: string; readonly corrupted: string };
}

/** Loads the IOI model, measures, and disposes it. */
export async function studyIoi(context: DemoContext): Promise<IoiResults> {
  const { model, tokenizer } = await loadIoiModel();
  const { count, template, seed } = patchedPrompts;
  const pairs = ioiPairs(tokenizer, generateIoiPrompts({ seed, count, split: 'held-out', template }));
  try {
    const { value: heads } = await context.timed(
      `IOI model: activation patching, AtP and RelP per head (${String(count)} prompt pairs)`,
      () => comparePatching(model, pairs, headSites(model.config)),
    );
    const { value: positions } = await context.timed(
      'IOI model: the same per (layer, position) of the residual stream',
      () => comparePatching(model, pairs, layerPositionSites(model.config, { positions: pairs.positions })),
    );
    // The layer-0 head whose effect AtP misses most.
    const { nHeads } = model.config;
    const miss = (head: number): number =>
      Math.abs(heads.patching.at(0, head) - (heads.estimates[0]?.grid.at(0, head) ?? 0));
    const worst = Array.from({ length: nHeads }, (_, head) => head).reduce((a, b) =>
      miss(b) > miss(a) ? b : a,
    );
    const frozen = frozenPatternCheck(model, pairs, worst, heads.corruptedMetric);
    // The IOI section's held-out prompts, so that the bars repeat its ablation table through the new method.
    const held = ioiTemplates.flatMap((_, index) =>
      generateIoiPrompts({ seed: 7 + index, count: 32, split: 'held-out', template: index }),
    );
    const { value: ablation } = await context.timed(
      `IOI model: ${String(model.config.nLayers * nHeads)} head ablations through steeringVectors`,
      () => ablateHeads(model, tokenizer, held),
    );
    return {
      heads,
      positions,
      frozen,
      ablation,
      positionCount: pairs.positions,
      example: { clean: pairs.cleanTexts[0] ?? '', corrupted: pairs.corruptedTexts[0] ?? '' },
    };
  } finally {
    pairs.clean.dispose();
    pairs.corrupted.dispose();
    model.dispose();
  }
}
