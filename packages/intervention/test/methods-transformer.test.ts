// activationPatching on gpt2-tiny (@tdhook/adapter-nlp's HookedTransformer) against the PyTorch reference:
// one patched run per cell of the head grid (hook_z, a Target on the head axis) and of the residual grid
// (hook_resid_pre, a Target on the position axis), atol 1e-5 as the fixture's README suggests.
import * as tf from '@tensorflow/tfjs-core';
import { TensorDict } from '@tdhook/core';
import type {} from '@tdhook/testing/vitest';
import { describe, expect, it } from 'vitest';

import { activationPatching } from '../src/index.js';
import { installedHooks } from './method-models.js';
import { flat, logitDifference, reference, tokensOf, useTinyModel } from './gpt2-tiny-fixture.js';

const model = useTinyModel();

/** The clean and the patched run's metric with `modules` patched clean → corrupted. */
function patchedMetrics(modules: Parameters<typeof activationPatching>[0]['modules']): [number, number] {
  const { clean, corrupted } = reference().patching_inputs;
  using data = new TensorDict(
    { input: tokensOf(clean), patched: { input: tokensOf(corrupted) } },
    { batchShape: [1] },
  );
  using prepared = activationPatching({ modules }).prepare(model());
  using result = prepared.run(data);
  return [
    logitDifference(result.getTensor('output')),
    logitDifference(result.getTensor(['patched', 'output'])),
  ];
}

describe('activationPatching on gpt2-tiny (reference activation_patching, atol 1e-5)', () => {
  const patching = reference().activation_patching;

  it('head grid: hook_z with a Target on the head axis (featureAxis 2), every layer and head', () => {
    const metrics: number[] = [];
    for (const layer of [0, 1]) {
      for (const head of [0, 1, 2, 3]) {
        const [clean, patched] = patchedMetrics([
          { path: `blocks.${layer}.attn.hook_z`, featureAxis: 2, indices: [head] },
        ]);
        expect(Math.abs(clean - patching.clean_metric)).toBeLessThan(1e-5);
        metrics.push(patched);
      }
    }
    const errors = metrics.map((value, index) =>
      Math.abs(value - (flat(patching.head_z.patched_metric)[index] ?? NaN)),
    );
    expect(Math.max(...errors)).toBeLessThan(1e-5);
    console.info(
      `head grid patched metric: max |error| ${Math.max(...errors).toExponential(2)} (${tf.getBackend()})`,
    );
    expect(installedHooks(model())).toBe(0);
  });

  it('residual grid: hook_resid_pre with a Target on the position axis (featureAxis 1), every layer and position', () => {
    const expected = flat(patching.resid_pre.patched_metric);
    const errors: number[] = [];
    for (const layer of [0, 1]) {
      for (let position = 0; position < 12; position++) {
        const [, patched] = patchedMetrics([
          { path: `blocks.${layer}.hook_resid_pre`, featureAxis: 1, indices: [position] },
        ]);
        errors.push(Math.abs(patched - (expected[layer * 12 + position] ?? NaN)));
      }
    }
    expect(Math.max(...errors)).toBeLessThan(1e-5);
    console.info(
      `resid grid patched metric: max |error| ${Math.max(...errors).toExponential(2)} (${tf.getBackend()})`,
    );
  });

  it('every head of every layer patched (two whole hook_z paths) reproduces the clean metric', () => {
    const [clean, patched] = patchedMetrics(['blocks.0.attn.hook_z', 'blocks.1.attn.hook_z']);
    expect(Math.abs(clean - patching.clean_metric)).toBeLessThan(1e-5);
    expect(Math.abs(patched - patching.clean_metric)).toBeLessThan(1e-5);
  });

  it('clean and corrupted prompts of different lengths: a ShapeMismatchError before any model call', () => {
    const { clean, corrupted } = reference().patching_inputs;
    using data = new TensorDict(
      { input: tokensOf(clean), patched: { input: tokensOf([corrupted[0]?.slice(0, 10) ?? []]) } },
      { batchShape: [1] },
    );
    const prepared = activationPatching({ modules: ['blocks.0.hook_resid_pre'] }).prepare(model());
    expect(() => prepared.run(data)).toThrowTdhookError(
      'E_SHAPE_MISMATCH',
      /clean input "input" has shape \[1,12\], the patched one \[1,10\]/,
    );
    expect(installedHooks(model())).toBe(0);
    expect(() =>
      activationPatching({ modules: ['blocks.7.hook_resid_pre'] }).prepare(model()),
    ).toThrowTdhookError('E_UNKNOWN_PATH');
  });

  it('a patchFn sees [batch, pos, head, d_head] hook_z values of both runs; patching a head back to itself changes nothing', () => {
    const { clean, corrupted } = reference().patching_inputs;
    using data = new TensorDict(
      { input: tokensOf(clean), patched: { input: tokensOf(corrupted) } },
      { batchShape: [1] },
    );
    const shapes: number[][] = [];
    using prepared = activationPatching({
      modules: [{ path: 'blocks.1.attn.hook_z', featureAxis: 2, indices: [2] }],
      patchFn: ({ output, outputToPatch }) => {
        shapes.push(output.shape, outputToPatch.shape);
        return output;
      },
    }).prepare(model());
    using result = prepared.run(data);
    expect(shapes).toEqual([
      [1, 12, 1, 16],
      [1, 12, 1, 16],
    ]);
    expect(
      Math.abs(
        logitDifference(result.getTensor(['patched', 'output'])) -
          reference().activation_patching.corrupted_metric,
      ),
    ).toBeLessThan(1e-5);
  });
});
