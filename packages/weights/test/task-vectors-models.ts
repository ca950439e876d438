// The task-vector tests' tiny model: Sequential({ linear }) with a 2×2 kernel and a bias chosen so that every
// sum and product below is exact in float32, and its parameters as a dict.
import * as tf from '@tensorflow/tfjs-core';
import { Sequential, TensorDict } from '@tdhook/core';

import { Linear } from './linear.js';

/** A tiny model's parameter values. */
export interface TinyValues {
  readonly kernel: number[][];
  readonly bias: number[];
}

/** θ_pre of the tiny model: kernel [[1, 2], [3, 4]], bias [0.5, −0.5]. */
export const pretrainedValues: TinyValues = {
  kernel: [
    [1, 2],
    [3, 4],
  ],
  bias: [0.5, -0.5],
};
/** θ_ft: kernel [[1.5, 2], [3, 3]], bias [0.5, 0.5], so τ = kernel [[0.5, 0], [0, −1]], bias [0, 1]. */
export const finetunedValues: TinyValues = {
  kernel: [
    [1.5, 2],
    [3, 3],
  ],
  bias: [0.5, 0.5],
};

/** Sequential({ linear: Linear }) with the given values (keys 'linear.kernel', 'linear.bias'). */
export function tinyModel(values: TinyValues = pretrainedValues): Sequential {
  return new Sequential({ linear: new Linear(tf.tensor2d(values.kernel), tf.tensor1d(values.bias)) });
}

/** A parameter dict keyed like readParameters(tinyModel()) gives it. */
export function tinyParameters(values: TinyValues): TensorDict {
  return new TensorDict({
    'linear.kernel': tf.tensor2d(values.kernel),
    'linear.bias': tf.tensor1d(values.bias),
  });
}
