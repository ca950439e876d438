// The weights-apply scenario, set up in-process at its smallest point: both variants leave the model's
// parameters bit for bit as they were and free every tensor they make; the parameter counts are right. No
// timings.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

import type { PreparedVariant } from '../src/scenario.js';
import { readParameters } from '@tdhook/core';
import { pruning } from '@tdhook/weights';

import { ReluMlp } from '../src/scenarios/relu-mlp.js';
import { pruneByHand, weightsApply, type WeightsApplyParams } from '../src/scenarios/weights-apply.js';

async function setUp(variant: string, params: WeightsApplyParams): Promise<PreparedVariant> {
  const setup = weightsApply.variants[variant];
  if (setup === undefined) throw new Error(`no variant ${variant}`);
  return setup(params);
}

describe('weights-apply', () => {
  it("plain pruning zeroes exactly the entries @tdhook/weights' pruning({ amount: 0.5 }) zeroes", () => {
    const model = new ReluMlp({ inputs: 64, width: 70, depth: 2, classes: 10 });
    const variables = [...model.layers.items, model.head].flatMap((layer) => [layer.kernel, layer.bias]);
    const originals = variables.map((variable) => tf.clone(variable));
    pruneByHand(variables);
    const byHand = variables.map((variable) => Array.from(variable.dataSync()));
    variables.forEach((variable, index) => {
      variable.assign(originals[index] as tf.Tensor);
    });
    {
      using prepared = pruning({ amount: 0.5 }).prepare(model);
      using pruned = readParameters(model);
      expect(pruned.entries().map(([, value]) => Array.from((value as tf.Tensor).dataSync()))).toEqual(
        byHand,
      );
      expect(prepared.active).toBe(true);
    }
    const zeros = byHand.flat().filter((value) => value === 0).length;
    expect(zeros).toBe(Math.round(0.5 * 10_230));
    tf.dispose(originals);
    model.dispose();
  });

  it('grid: ~10k, ~100k, ~1M parameters (64 → width → width → 10)', () => {
    expect(weightsApply.grid.full.map((point) => [point.operation, point.parameters])).toEqual([
      ['pruning', 10_230],
      ['pruning', 99_690],
      ['pruning', 994_570],
      ['task-vectors', 10_230],
      ['task-vectors', 99_690],
      ['task-vectors', 994_570],
    ]);
  });

  for (const point of weightsApply.grid.quick)
    for (const variant of ['tdhook', 'plain']) {
      it(`${point.operation} ${variant}: apply + restore, twice, leaves no tensor behind (bit-exact restore: weights' own tests)`, async () => {
        const prepared = await setUp(variant, point);
        try {
          const before = tf.memory().numTensors;
          await prepared.run();
          await prepared.run();
          expect(tf.memory().numTensors).toBe(before);
          expect(prepared.note?.()).toBe('10230 parameters (0.04 MiB of float32)');
        } finally {
          prepared.dispose();
        }
      });
    }
});
