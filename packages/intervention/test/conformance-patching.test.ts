// activationPatchingGrid against the gpt2-tiny reference computed in PyTorch (reference.json →
// activation_patching): the head grid (hook_z per head) and the resid_pre layer × position grid, patched
// metric, effect and normalized effect, atol 1e-5 on wasm and cpu (measured errors printed).
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import type {} from '@tdhook/testing/vitest';
import { TensorDict } from '@tdhook/core';

import {
  activationPatchingGrid,
  headSites,
  layerPositionSites,
  logitDifference,
  siteGrid,
  type SiteGrid,
} from '../src/index.js';
import { flat, maxAbsError, reference, tokensOf, useTinyModel } from './gpt2-tiny-fixture.js';

const model = useTinyModel();
const atol = 1e-5;

interface GridRun {
  readonly patched: number[];
  readonly effect: number[];
  readonly normalized: number[];
  readonly source: number;
  readonly baseline: number;
}

/** The grid over the reference's clean → corrupted pair, read back as plain numbers. */
function runGrid(sites: SiteGrid, maxRowsPerPass?: number): GridRun {
  const { patching_inputs: inputs } = reference();
  const metric = logitDifference({ answer: inputs.clean_answer, versus: inputs.corrupt_answer });
  using data = new TensorDict(
    { input: tokensOf(inputs.clean), patched: { input: tokensOf(inputs.corrupted) } },
    { batchShape: [1] },
  );
  using prepared = activationPatchingGrid({
    sites,
    metric,
    ...(maxRowsPerPass === undefined ? {} : { maxRowsPerPass }),
  }).prepare(model());
  using result = prepared.run(data);
  const read = (name: string): number[] => Array.from(result.getTensor(['patching', name]).dataSync());
  return {
    patched: read('patched_metric'),
    effect: read('effect'),
    normalized: read('normalized'),
    source: read('source_metric')[0] ?? Number.NaN,
    baseline: read('baseline_metric')[0] ?? Number.NaN,
  };
}

describe(`activationPatchingGrid on gpt2-tiny matches PyTorch (atol ${atol}, ${tf.getBackend()})`, () => {
  const ref = reference().activation_patching;

  it('the head grid: hook_z[:, :, head, :] per layer and head', () => {
    const grid = runGrid(headSites(model().config));
    const errors = {
      patched: maxAbsError(grid.patched, flat(ref.head_z.patched_metric)),
      effect: maxAbsError(grid.effect, flat(ref.head_z.effect)),
      normalized: maxAbsError(grid.normalized, flat(ref.head_z.normalized)),
      source: Math.abs(grid.source - ref.clean_metric),
      baseline: Math.abs(grid.baseline - ref.corrupted_metric),
    };
    console.info(`head grid max |error| on ${tf.getBackend()}: ${JSON.stringify(errors)}`);
    for (const [name, error] of Object.entries(errors)) expect(error, name).toBeLessThan(atol);
  });

  it('the residual grid: hook_resid_pre[:, pos, :] per layer and position, also 5 rows per pass', () => {
    const sites = layerPositionSites(model().config, { positions: 12 });
    const grid = runGrid(sites);
    const errors = {
      patched: maxAbsError(grid.patched, flat(ref.resid_pre.patched_metric)),
      effect: maxAbsError(grid.effect, flat(ref.resid_pre.effect)),
      normalized: maxAbsError(grid.normalized, flat(ref.resid_pre.normalized)),
    };
    console.info(`resid_pre grid max |error| on ${tf.getBackend()}: ${JSON.stringify(errors)}`);
    for (const [name, error] of Object.entries(errors)) expect(error, name).toBeLessThan(atol);
    // Chunked (5 cells per pass, the last pass 4): the same numbers.
    const chunked = runGrid(sites, 5);
    expect(maxAbsError(chunked.patched, grid.patched)).toBeLessThan(1e-6);
  });

  it('a whole residual stream patched gives the source metric: resid_pre 0 (as in PyTorch), resid_post 1, ln_final', () => {
    const whole = (path: string): { path: string; units: []; label: string } => ({
      path,
      units: [],
      label: path,
    });
    const everything = runGrid(
      siteGrid({
        axes: [{ name: 'site', labels: ['resid_pre 0', 'resid_post 1', 'ln_final'] }],
        sites: [
          whole('blocks.0.hook_resid_pre'),
          whole('blocks.1.hook_resid_post'),
          whole('ln_final.hook_normalized'),
        ],
      }),
    );
    const target = ref.resid_pre.layer0_all_positions_patched_metric;
    expect(target).toBe(ref.clean_metric);
    const error = maxAbsError(everything.patched, [target, target, target]);
    console.info(`whole residual stream patched vs the clean metric on ${tf.getBackend()}: ${error}`);
    expect(error).toBeLessThan(atol);
    expect(maxAbsError(everything.normalized, [1, 1, 1])).toBeLessThan(atol);
  });
});
