// Tiny models for the adapter tests, with small integer weights so that every expected number is worked out
// by hand in the tests: linear1 (2 → 2) → relu → linear2 (2 → 2).
import * as tf from '@tensorflow/tfjs-core';
import { Lambda, Module, namedModules, Sequential, type ModelNode } from '@tdhook/core';
import { hookCounts } from '@tdhook/core/plugin';
import { expect } from 'vitest';
import type {} from '@tdhook/testing/vitest';

import { Linear } from './linear.js';

/**
 * linear1: kernel [[1, 2], [0, 1]], bias [0, 1]; relu; linear2: kernel [[1, 0], [1, 1]], bias [1, 0].
 * On x = [1, 1]: linear1 = [1, 4], relu = [1, 4], linear2 = [1 + 4 + 1, 4 + 0] = [6, 4].
 * On x = [−1, 2]: linear1 = [−1, 1], relu = [0, 1], linear2 = [0 + 1 + 1, 1 + 0] = [2, 1].
 */
export function tinyModel(): Sequential {
  return new Sequential({
    linear1: new Linear(
      tf.tensor2d([
        [1, 2],
        [0, 1],
      ]),
      tf.tensor1d([0, 1]),
    ),
    relu: new Lambda('relu', (x: tf.Tensor) => tf.relu(x)),
    linear2: new Linear(
      tf.tensor2d([
        [1, 0],
        [1, 1],
      ]),
      tf.tensor1d([1, 0]),
    ),
  });
}

/** The two rows the hand-worked numbers of {@link tinyModel} are for. */
export const tinyInput: number[][] = [
  [1, 1],
  [-1, 2],
];

/** Checks that `model` computes its own function again: [[6, 4], [2, 1]] on {@link tinyInput}, exactly. */
export function expectOriginalOutput(model: Sequential): void {
  const plain = tf.tidy(() => model.call(tf.tensor2d(tinyInput)));
  expect(plain).toBeCloseToTensor(
    [
      [6, 4],
      [2, 1],
    ],
    { rtol: 0, atol: 0 },
  );
  plain.dispose();
}

/** An adapter that is a tdhook Module with a parameter of its own: `x · scale`. */
export class Scale extends Module {
  readonly scale: tf.Variable;
  constructor(scale: number) {
    super();
    this.scale = this.registerParameter('scale', tf.scalar(scale));
  }
  forward(x: tf.Tensor): tf.Tensor {
    return tf.mul(x, this.scale);
  }
}

/** The number of hooks installed on any module of `model` (the model itself included). */
export function installedHooks(model: ModelNode): number {
  return [model, ...namedModules(model).map(([, node]) => node)].reduce((total, node) => {
    const counts = hookCounts(node);
    return total + counts.forward + counts['forward-pre'] + counts.backward + counts['backward-pre'];
  }, 0);
}
