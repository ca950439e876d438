// The dense layer every weights test builds its small models from: torch's nn.Linear as a tdhook Module,
// `x · kernel + bias` (kernel [in, out]), with hand-written or seeded weights.
import * as tf from '@tensorflow/tfjs-core';
import { Module } from '@tdhook/core';
import { seededTensor } from '@tdhook/testing';

/** `x · kernel + bias` (kernel [in, out]), parameters 'kernel' and 'bias'. */
export class Linear extends Module {
  readonly kernel: tf.Variable;
  readonly bias: tf.Variable;
  constructor(kernel: tf.Tensor, bias: tf.Tensor) {
    super();
    this.kernel = this.registerParameter('kernel', kernel);
    this.bias = this.registerParameter('bias', bias);
  }
  forward(x: tf.Tensor): tf.Tensor {
    return tf.add(tf.matMul(x, this.kernel), this.bias);
  }
}

/** A Linear(inputs, units) with seeded weights (kernel scale 0.6, bias 0.2): no entry is zero, no two tie. */
export function seededLinear(inputs: number, units: number, seed: number): Linear {
  return new Linear(seededTensor([inputs, units], seed, 0.6), seededTensor([units], seed + 1, 0.2));
}
