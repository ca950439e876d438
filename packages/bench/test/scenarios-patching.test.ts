// The patching scenarios, set up in-process at a small point: the batched grid, one run per cell with tdhook
// hooks and one run per cell in plain TF.js give the same (layer, head, position) grid; AtP and RelP run, and
// their notes give a correlation with the grid; intervention-chains' prepared session gives the same output
// as opening it in the call. No timings.
import * as tf from '@tensorflow/tfjs-core';
import { restorePatches } from '@tdhook/backend';
import { defaultPatches, installPatches } from '@tdhook/backend/patches';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pearson } from '@tdhook/intervention';

import type { Params, PreparedVariant, Scenario } from '../src/scenario.js';
import { interventionChains } from '../src/scenarios/intervention-chains.js';
import { attributionPatchingScenario } from '../src/scenarios/patching-attribution.js';
import { patchingGrid } from '../src/scenarios/patching-grid.js';

interface Ran {
  readonly shape: number[];
  readonly data: number[];
  readonly note: string | undefined;
}

/** Sets a variant up, calls it twice (prepared state must survive a call), reads the last result. */
async function runTwice<P extends Params>(
  scenario: Scenario<P>,
  variant: string,
  params: NoInfer<P>,
): Promise<Ran> {
  const setup = scenario.variants[variant];
  if (setup === undefined) throw new Error(`no variant ${variant}`);
  const prepared: PreparedVariant = await setup(params);
  try {
    tf.dispose((await prepared.run()) as tf.Tensor);
    const result = (await prepared.run()) as tf.Tensor;
    const ran = { shape: result.shape, data: Array.from(result.dataSync()), note: prepared.note?.() };
    result.dispose();
    return ran;
  } finally {
    prepared.dispose();
  }
}

// The wasm backend gets the kernels and gradients it lacks, as initBackend gives the bench's workers.
beforeAll(async () => {
  await installPatches(tf.getBackend() as 'wasm' | 'cpu', defaultPatches);
});
afterAll(() => {
  restorePatches();
});

describe('patching-grid', () => {
  it('gives the same 2 × 4 × 15 grid batched, one run per cell with hooks, and by hand (whole runs and the shortcut)', async () => {
    const params = { samples: 2 };
    const batched = await runTwice(patchingGrid, 'tdhook', params);
    const perCell = await runTwice(patchingGrid, 'tdhook-per-cell', params);
    const plain = await runTwice(patchingGrid, 'plain', params);
    const shortcut = await runTwice(patchingGrid, 'plain-shortcut', params);
    expect(batched.shape).toEqual([2, 2, 4, 15]);
    for (const other of [perCell, plain, shortcut]) {
      expect(other).toBeCloseToTensor(batched, { rtol: 1e-4, atol: 1e-4 });
    }
    // Patching changes the metric: the grid is not constant (IOI heads move the logit difference).
    const spread = Math.max(...batched.data) - Math.min(...batched.data);
    expect(spread).toBeGreaterThan(1);
  }, 120_000);
});

describe('attribution-patching', () => {
  it('estimates the grid with AtP and RelP, and notes the correlation with it', async () => {
    const params = { samples: 2 };
    const grid = await runTwice(attributionPatchingScenario, 'grid', params);
    expect(grid.shape).toEqual([2, 2, 4, 15]);
    expect(grid.note).toBeUndefined();
    for (const method of ['atp', 'relp']) {
      const estimate = await runTwice(attributionPatchingScenario, method, params);
      expect(estimate.shape).toEqual([2, 2, 4, 15]);
      const r = pearson(estimate.data, grid.data);
      expect(r).toBeGreaterThan(0.3);
      expect(estimate.note).toMatch(
        new RegExp(
          `^Pearson r with activation patching's effect: -?\\d\\.\\d{3} over the 120 cells \\(mean over 2 samples\\), ${r.toFixed(3)} over all 240 cell-samples$`,
        ),
      );
    }
  }, 120_000);

  it('computes Pearson r', () => {
    expect(pearson([1, 2, 3], [2, 4, 6])).toBeCloseTo(1, 12);
    expect(pearson([1, 2, 3], [3, 2, 1])).toBeCloseTo(-1, 12);
    expect(pearson([1, 2, 3, 4], [1, 3, 2, 4])).toBeCloseTo(0.8, 12);
    expect(pearson([1, 1], [1, 2])).toBeNaN();
  });
});

describe('intervention-chains tdhook-prepared', () => {
  it('gives the same output on every call as opening the session in the call', async () => {
    const params = { operations: 25, batch: 3 } as const;
    const prepared = await runTwice(interventionChains, 'tdhook-prepared', params);
    const inCall = await runTwice(interventionChains, 'tdhook', params);
    const plain = await runTwice(interventionChains, 'plain', params);
    expect(prepared.shape).toEqual([3, 10]);
    expect(prepared).toBeCloseToTensor(inCall, { rtol: 1e-6, atol: 1e-6 });
    expect(prepared).toBeCloseToTensor(plain, { rtol: 1e-5, atol: 1e-5 });
  });
});
