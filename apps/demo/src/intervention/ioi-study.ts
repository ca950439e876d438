// Everything the section measures on the IOI model: patching, AtP and RelP per head and per (layer, position)
// on the study's ABC pairs, per head again on pairs whose answer flips, the frozen-pattern check of the layer-0
// head with the largest effect, and head ablations.
import { headSites, layerPositionSites } from '@tdhook/intervention';
import { generateIoiPrompts, ioiTemplates, loadIoiModel } from '@tdhook/nlp-assets';

import type { DemoContext } from '../vision/demo-context.js';
import { frozenPatternCheck, type FrozenPatternCheck } from './frozen-pattern-check.js';
import { ablateHeads, type HeadAblation } from './head-ablation.js';
import { ioiPairs, type IoiPairs } from './ioi-pairs.js';
import { comparePatching, type PatchingComparison } from './ioi-patching.js';

/** The prompts patched: those of docs/atp-relp-study.md (held-out name pairs, one template, both orders). */
export const patchedPrompts = { count: 24, template: 0, seed: 15 } as const;

/** The IOI measurements, for the report. */
export interface IoiResults {
  /** ABC pairs: per head and per (layer, position). */
  readonly heads: PatchingComparison;
  readonly positions: PatchingComparison;
  /** Flipped pairs (the indirect object repeated): per head. */
  readonly flippedHeads: PatchingComparison;
  readonly frozen: FrozenPatternCheck;
  readonly ablation: HeadAblation;
  readonly positionCount: number;
  readonly examples: { readonly abc: IoiPairs['example']; readonly flip: IoiPairs['example'] };
}

/** Loads the IOI model, measures, and disposes it. */
export async function studyIoi(context: DemoContext): Promise<IoiResults> {
  const { model, tokenizer } = await loadIoiModel();
  const { count, template, seed } = patchedPrompts;
  const prompts = generateIoiPrompts({ seed, count, split: 'held-out', template });
  const abc = ioiPairs(tokenizer, prompts, 'abc', seed);
  const flip = ioiPairs(tokenizer, prompts, 'flip', seed);
  try {
    const { value: heads } = await context.timed(
      `IOI model: activation patching, AtP and RelP per head (${String(count)} ABC prompt pairs)`,
      () => comparePatching(model, abc, headSites(model.config)),
    );
    const { value: positions } = await context.timed(
      'IOI model: the same per (layer, position) of the residual stream',
      () => comparePatching(model, abc, layerPositionSites(model.config, { positions: abc.positions })),
    );
    const { value: flippedHeads } = await context.timed(
      'IOI model: the same per head on pairs whose answer flips',
      () => comparePatching(model, flip, headSites(model.config)),
    );
    const { nHeads } = model.config;
    const strongest = Array.from({ length: nHeads }, (_, head) => head).reduce((a, b) =>
      heads.patching.at(0, b) > heads.patching.at(0, a) ? b : a,
    );
    const { value: frozen } = await context.timed(
      `IOI model: L0H${String(strongest)} patched with layer 1's attention pattern free, then held`,
      () => frozenPatternCheck(model, abc, strongest, heads.corruptedMetric),
    );
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
      flippedHeads,
      frozen,
      ablation,
      positionCount: abc.positions,
      examples: { abc: abc.example, flip: flip.example },
    };
  } finally {
    for (const pairs of [abc, flip]) {
      pairs.clean.dispose();
      pairs.corrupted.dispose();
    }
    model.dispose();
  }
}
