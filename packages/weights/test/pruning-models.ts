// The models the pruning tests prune: the original's Linear(10, 10) and a Linear(10, 10) × 3 MLP, written as
// tdhook Modules with seeded weights (no entry is zero, no two magnitudes tie), and helpers to snapshot and
// compare every parameter bit for bit.
import * as tf from '@tensorflow/tfjs-core';
import { Module, readParameters, type ModelNode } from '@tdhook/core';
import { seededTensor } from '@tdhook/testing';

/** `x · kernel + bias` (kernel [in, out]), the original's nn.Linear. */
export class Linear extends Module {
  readonly kernel: tf.Variable;
  readonly bias: tf.Variable;
  constructor(inputs: number, units: number, seed: number) {
    super();
    this.kernel = this.registerParameter('kernel', seededTensor([inputs, units], seed, 0.6));
    this.bias = this.registerParameter('bias', seededTensor([units], seed + 1, 0.2));
  }
  forward(x: tf.Tensor): tf.Tensor {
    return tf.add(tf.matMul(x, this.kernel), this.bias);
  }
}

/** linear1 → relu → linear2 → relu → linear3, each Linear(10, 10). */
export class Mlp extends Module {
  readonly linear1: Linear;
  readonly linear2: Linear;
  readonly linear3: Linear;
  constructor() {
    super();
    this.linear1 = this.registerModule('linear1', new Linear(10, 10, 11));
    this.linear2 = this.registerModule('linear2', new Linear(10, 10, 21));
    this.linear3 = this.registerModule('linear3', new Linear(10, 10, 31));
  }
  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() =>
      this.linear3.call(tf.relu(this.linear2.call(tf.relu(this.linear1.call(x))))),
    );
  }
}

/** Every parameter's values, as plain arrays (for exact comparisons). */
export function snapshot(model: ModelNode): Record<string, number[]> {
  using values = readParameters(model);
  return Object.fromEntries(
    values.keys().map((key) => [key.join('.'), Array.from(values.getTensor(key).dataSync())]),
  );
}

/** The share of zeros in a flat array. */
export function zeroFraction(values: readonly number[]): number {
  return values.filter((value) => value === 0).length / values.length;
}

/** A seeded [rows, 10] input. */
export function inputs(rows = 4): tf.Tensor {
  return seededTensor([rows, 10], 7, 2);
}
