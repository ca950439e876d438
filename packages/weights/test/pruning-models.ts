// The models the pruning tests prune: the original's Linear(10, 10) (seededLinear) and a Linear(10, 10) × 3
// MLP with seeded weights (no entry is zero, no two magnitudes tie), and the inputs they run on.
import * as tf from '@tensorflow/tfjs-core';
import { Module } from '@tdhook/core';
import { seededTensor } from '@tdhook/testing';

import { seededLinear, type Linear } from './linear.js';

/** linear1 → relu → linear2 → relu → linear3, each Linear(10, 10). */
export class Mlp extends Module {
  readonly linear1: Linear;
  readonly linear2: Linear;
  readonly linear3: Linear;
  constructor() {
    super();
    this.linear1 = this.registerModule('linear1', seededLinear(10, 10, 11));
    this.linear2 = this.registerModule('linear2', seededLinear(10, 10, 21));
    this.linear3 = this.registerModule('linear3', seededLinear(10, 10, 31));
  }
  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => this.linear3.call(tf.relu(this.linear2.call(tf.relu(this.linear1.call(x))))));
  }
}

/** The share of zeros in a flat array. */
export function zeroFraction(values: readonly number[]): number {
  return values.filter((value) => value === 0).length / values.length;
}

/** A seeded [rows, 10] input. */
export function inputs(rows = 4): tf.Tensor {
  return seededTensor([rows, 10], 7, 2);
}
