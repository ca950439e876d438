// activationPatchingGrid's typed errors: bad options, unknown site paths (at prepare), missing or mismatched
// inputs (before any model call), a metric that does not return [rows] and a site outside its value (after
// the source pass, before any patched pass). The model is restored every time; nothing leaks (the test setup
// checks tf.memory() after every test).
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import type {} from '@tdhook/testing/vitest';
import { registerHook, resolveModule, TensorDict, type HookHandle } from '@tdhook/core';
import { hookCounts } from '@tdhook/core/plugin';

import {
  activationPatchingGrid,
  headSites,
  logitDifference,
  siteGrid,
  unitSites,
  type ActivationPatchingGridOptions,
  type PatchingMetric,
} from '../src/index.js';
import { reference, tokensOf, useTinyModel } from './gpt2-tiny-fixture.js';

const model = useTinyModel();
const { clean, corrupted, clean_answer: answer, corrupt_answer: versus } = reference().patching_inputs;
const metric = logitDifference({ answer, versus });

/** Counts the model's calls (a forward hook on the root) while `run` runs. */
function countCalls(run: () => void): number {
  let calls = 0;
  const handle: HookHandle = registerHook(model(), '', 'forward', () => {
    calls++;
    return undefined;
  });
  try {
    run();
  } finally {
    handle.remove();
  }
  return calls;
}

function data(receiving: number[][] = corrupted, patchKey = 'patched'): TensorDict {
  return new TensorDict(
    { input: tokensOf(clean), [patchKey]: { input: tokensOf(receiving) } },
    { batchShape: [1] },
  );
}

/** Prepares the grid, runs it on `input`, and expects a tdhook error with `code` before `calls` model calls. */
function expectRunError(
  options: ActivationPatchingGridOptions,
  input: TensorDict,
  code: string,
  pattern: RegExp,
  calls: number,
): void {
  const m = model();
  const forward = hookCounts(resolveModule(m, 'blocks.0.attn.hook_z')).forward;
  const prepared = activationPatchingGrid(options).prepare(m);
  try {
    expect(countCalls(() => expect(() => prepared.run(input)).toThrowTdhookError(code, pattern))).toBe(calls);
    expect(prepared.active).toBe(false); // an error restores the model
    expect(hookCounts(resolveModule(m, 'blocks.0.attn.hook_z')).forward).toBe(forward);
  } finally {
    prepared.restore();
    input.dispose();
  }
}

describe('activationPatchingGrid: typed errors, before the model runs', () => {
  it('bad options', () => {
    const sites = headSites({ nLayers: 2, nHeads: 4 });
    const bad =
      (options: unknown): (() => unknown) =>
      () =>
        activationPatchingGrid(options as ActivationPatchingGridOptions);
    expect(bad({ sites, metric, maxRowsPerPass: 0 })).toThrowTdhookError('E_INVALID_VALUE', /maxRowsPerPass/);
    expect(bad({ sites, metric, maxRowsPerPass: 2.5 })).toThrowTdhookError(
      'E_INVALID_VALUE',
      /maxRowsPerPass/,
    );
    expect(bad({ sites, metric: 'logit diff' })).toThrowTdhookError(
      'E_INVALID_VALUE',
      /metric must be a function/,
    );
    expect(bad({ sites: [sites.sites[0]], metric })).toThrowTdhookError('E_INVALID_VALUE', /site grid/);
    expect(bad({ sites, metric, direction: 'noising' })).toThrowTdhookError(
      'E_INVALID_VALUE',
      /no option "direction".*no direction option/s,
    );
    expect(bad({ sites, metric, onProgress: 1 })).toThrowTdhookError('E_INVALID_VALUE', /onProgress/);
    expect(bad({ sites, metric, patchKey: '' })).toThrowTdhookError('E_INVALID_KEY');
    // A hand-made grid is checked as siteGrid checks it.
    expect(
      bad({ sites: { axes: sites.axes, shape: [2, 4], sites: sites.sites.slice(1) }, metric }),
    ).toThrowTdhookError('E_INVALID_VALUE', /8 cells but 7 sites/);
  });

  it('an unknown site path, or result keys over the inputs, at prepare: nothing installed', () => {
    const m = model();
    const sites = siteGrid({
      axes: [{ name: 'site', labels: ['a', 'b'] }],
      sites: [
        { path: 'blocks.0.attn.hook_z', units: [], label: 'a' },
        { path: 'blocks.0.attn.hook_zz', units: [], label: 'b' },
      ],
    });
    const forward = hookCounts(resolveModule(m, 'blocks.0.attn.hook_z')).forward;
    expect(() => activationPatchingGrid({ sites, metric }).prepare(m)).toThrowTdhookError(
      'E_UNKNOWN_PATH',
      /Site 'b' \(sites\[1\]\) names 'blocks\.0\.attn\.hook_zz'/,
    );
    expect(hookCounts(resolveModule(m, 'blocks.0.attn.hook_z')).forward).toBe(forward);
    expect(() =>
      activationPatchingGrid({ sites: headSites(m.config), metric, resultKey: 'patched' }).prepare(m),
    ).toThrowTdhookError('E_INVALID_VALUE', /resultKey \["?patched"?\]? overlaps|resultKey .*overlaps/);
    expect(() =>
      activationPatchingGrid({ sites: headSites(m.config), metric, patchKey: 'input' }).prepare(m),
    ).toThrowTdhookError('E_INVALID_VALUE', /patchKey/);
    // The result holds the clean outputs under the model's output keys: resultKey must not cover them.
    expect(() =>
      activationPatchingGrid({ sites: headSites(m.config), metric, resultKey: 'output' }).prepare(m),
    ).toThrowTdhookError('E_INVALID_VALUE', /resultKey "output" overlaps the model output/);
  });

  it('missing receiving inputs, and inputs of different shapes: no model call', () => {
    const sites = headSites(model().config);
    expectRunError(
      { sites, metric },
      data(corrupted, 'corrupted'),
      'E_MISSING_KEY',
      /no sub-dict "patched" with the model inputs/,
      0,
    );
    expectRunError({ sites, metric, patchKey: 'corrupted' }, data(), 'E_MISSING_KEY', /"corrupted"/, 0);
    const shorter = [corrupted[0]?.slice(0, 11) ?? []];
    expectRunError(
      { sites, metric },
      data(shorter),
      'E_SHAPE_MISMATCH',
      /source \(clean\) input "input" has shape \[1,12\], the receiving \(corrupted\) one \[1,11\]/,
      0,
    );
    // Token ids as floats on one side: refused before the model sees them.
    expectRunError(
      { sites, metric },
      new TensorDict(
        { input: tokensOf(clean), patched: { input: tf.tensor2d(corrupted, undefined, 'float32') } },
        { batchShape: [1] },
      ),
      'E_INVALID_VALUE',
      /source \(clean\) input "input" is int32, the receiving \(corrupted\) one float32/,
      0,
    );
  });

  it('a metric that does not return one number per row: caught on the source pass, no patched pass', () => {
    const sites = headSites(model().config);
    const scalar: PatchingMetric = (logits) => tf.sum(logits);
    expectRunError(
      { sites, metric: scalar },
      data(),
      'E_SHAPE_MISMATCH',
      /one number per sample \(\[2\] float32\)/,
      1,
    );
    const perPosition: PatchingMetric = (logits) => tf.sum(logits, 2);
    expectRunError({ sites, metric: perPosition }, data(), 'E_SHAPE_MISMATCH', /shape \[2, 12\]/, 1);
    const notATensor = (() => 3) as unknown as PatchingMetric;
    expectRunError({ sites, metric: notATensor }, data(), 'E_INVALID_VALUE', /returned number/, 1);
  });

  it('a site outside its value: caught after the source pass, naming the site', () => {
    const sites = unitSites({ path: 'blocks.1.attn.hook_z', axis: 2, indices: [1, 4], name: 'head' });
    expectRunError(
      { sites, metric },
      data(),
      'E_INVALID_VALUE',
      /Site 'blocks\.1\.attn\.hook_z #4' picks index 4 on axis 2 of size 4/,
      1,
    );
  });

  it('an error thrown by onProgress restores the model too', () => {
    const sites = headSites(model().config);
    const onProgress = (): void => {
      throw new TypeError('stop');
    };
    const m = model();
    const prepared = activationPatchingGrid({ sites, metric, onProgress }).prepare(m);
    using input = data();
    expect(() => prepared.run(input)).toThrow('stop');
    expect(prepared.active).toBe(false);
  });
});
