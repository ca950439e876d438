// RelP checked independently of its implementation: (a) with a composite that applies no rule it is AtP,
// bit for bit; (b) with the transformer rules it equals Σ Δ·g of a hand-written forward pass whose plain
// gradient is the modified gradient (LayerNorm's std and the attention pattern constant, GELU by its
// identity rule), on gpt2-tiny (MLPs, GELU) and on the IOI model (attention only).
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {} from '@tdhook/testing/vitest';
import { TensorDict } from '@tdhook/core';
import { defineLrpComposite, lrpRule } from '@tdhook/attribution';
import { transformerLrpComposite, type HookedTransformer } from '@tdhook/adapter-nlp';
import { generateIoiPrompts, loadIoiModel, type LoadedNlpModel } from '@tdhook/nlp-assets';

import {
  attributionPatching,
  headSites,
  layerPositionSites,
  logitDifference,
  siteGrid,
  type PatchingMetric,
  type SiteGrid,
} from '../src/index.js';
import { maxAbsError, reference, tokensOf, useBackendPatches, loadTinyModel } from './gpt2-tiny-fixture.js';
import { relpByHand } from './modified-gradient-forward.js';

useBackendPatches();
let tiny: HookedTransformer | undefined;
let ioi: LoadedNlpModel | undefined;
beforeAll(async () => {
  tiny = await loadTinyModel();
  ioi = await loadIoiModel();
});
afterAll(() => {
  tiny?.dispose();
  ioi?.model.dispose();
});

/** Both grids of one model in one prepared call: heads over hook_z, then layers × positions. */
function bothGrids(model: HookedTransformer, positions: number): SiteGrid {
  const heads = headSites(model.config);
  const resid = layerPositionSites(model.config, { positions });
  return siteGrid({
    axes: [{ name: 'site', labels: [...heads.sites, ...resid.sites].map((site) => site.label) }],
    sites: [...heads.sites, ...resid.sites],
  });
}

function estimate(
  model: HookedTransformer,
  clean: tf.Tensor2D,
  corrupted: tf.Tensor2D,
  metric: PatchingMetric,
  options: Pick<Parameters<typeof attributionPatching>[0], 'method' | 'composite'>,
): Float32Array {
  using data = new TensorDict(
    { input: tf.clone(clean), patched: { input: tf.clone(corrupted) } },
    { batchShape: [clean.shape[0]] },
  );
  const sites = bothGrids(model, clean.shape[1]);
  using prepared = attributionPatching({ sites, metric, ...options }).prepare(model);
  using result = prepared.run(data);
  return result.getTensor([options.method ?? 'atp', 'estimate']).dataSync() as Float32Array;
}

/** The hand-written estimate in the same layout: [rows, heads…, layer×position…]. */
function byHand(
  model: HookedTransformer,
  clean: tf.Tensor2D,
  corrupted: tf.Tensor2D,
  metric: PatchingMetric,
): Float32Array {
  const { heads, resid } = relpByHand(model, clean, corrupted, (logits) => metric(logits, [logits]));
  const rows = clean.shape[0];
  const joined = tf.tidy(() => tf.concat([tf.reshape(heads, [rows, -1]), tf.reshape(resid, [rows, -1])], 1));
  const values = joined.dataSync() as Float32Array;
  tf.dispose([heads, resid, joined]);
  return values;
}

const scale = (values: ArrayLike<number>): number =>
  Array.from(values).reduce((worst, value) => Math.max(worst, Math.abs(value)), 0);

describe(`RelP (${tf.getBackend()})`, () => {
  it('(a) with a composite that applies no rule, RelP is AtP exactly', () => {
    const model = tiny as HookedTransformer;
    const { clean, corrupted, clean_answer: answer, corrupt_answer: versus } = reference().patching_inputs;
    const [x, y] = [tokensOf(clean), tokensOf(corrupted)];
    const metric = logitDifference({ answer, versus });
    const plain = defineLrpComposite({
      name: 'test/no-rules',
      entries: [{ match: {}, rule: lrpRule.ignore() }],
    });
    const atp = estimate(model, x, y, metric, { method: 'atp' });
    const relp = estimate(model, x, y, metric, { method: 'relp', composite: plain });
    expect(maxAbsError(relp, atp)).toBe(0);
    tf.dispose([x, y]);
  });

  it('(b) gpt2-tiny: equals the hand-written modified gradient (heads and layer × position), and differs from AtP', () => {
    const model = tiny as HookedTransformer;
    const { clean, corrupted, clean_answer: answer, corrupt_answer: versus } = reference().patching_inputs;
    const [x, y] = [tokensOf(clean), tokensOf(corrupted)];
    const metric = logitDifference({ answer, versus });
    const relp = estimate(model, x, y, metric, { method: 'relp', composite: transformerLrpComposite() });
    const wanted = byHand(model, x, y, metric);
    const error = maxAbsError(relp, wanted);
    console.info(
      `[relp] gpt2-tiny vs hand-written modified gradient: max |error| ${error.toExponential(2)} (values up to ${scale(wanted).toFixed(3)}, ${tf.getBackend()})`,
    );
    const atp = estimate(model, x, y, metric, { method: 'atp' });
    tf.dispose([x, y]);
    expect(error).toBeLessThan(1e-5);
    expect(maxAbsError(relp, atp)).toBeGreaterThan(1e-3); // the rules matter on this model
  });

  it('(b) IOI model (attention only), two prompt pairs per sample row: equals the hand-written modified gradient', () => {
    const { model, tokenizer } = ioi as LoadedNlpModel;
    const prompts = generateIoiPrompts({ seed: 7, count: 4, template: 0, split: 'held-out' });
    const ids = (index: number): number[] => tokenizer.encode((prompts[index] as { text: string }).text);
    const x = tokensOf([ids(0), ids(1)]);
    const y = tokensOf([ids(2), ids(3)]);
    const token = (name: string): number => tokenizer.encode(name)[0] ?? 0;
    const metric = logitDifference({
      answer: [0, 1].map((index) => token((prompts[index] as { answer: string }).answer)),
      versus: [0, 1].map((index) => token((prompts[index] as { subject: string }).subject)),
    });
    const relp = estimate(model, x, y, metric, { method: 'relp', composite: transformerLrpComposite() });
    const wanted = byHand(model, x, y, metric);
    const error = maxAbsError(relp, wanted);
    console.info(
      `[relp] IOI vs hand-written modified gradient: max |error| ${error.toExponential(2)} (values up to ${scale(wanted).toFixed(3)}, ${tf.getBackend()})`,
    );
    tf.dispose([x, y]);
    expect(error).toBeLessThan(1e-4 * Math.max(1, scale(wanted)));
  });
});
