import * as tf from '@tensorflow/tfjs-core';

import { pairEstimator, type BilinearOptions, type TrainedPairEstimator } from './bilinear-estimator.js';
import { TrainedModel, uniformTensor, type Architecture } from './trained-model.js';
import { trainingOf } from './training-options.js';

const lowRankArchitecture = (bias: boolean): Architecture => ({
  name: 'low-rank bilinear estimator',
  inputs: 2,
  init: ([d1 = 1, d2 = 1], features, random) => {
    // Two torch nn.Linear maps (weights and biases uniform in ±1/√d), and the output bias at zero.
    const bound1 = 1 / Math.sqrt(d1);
    const bound2 = 1 / Math.sqrt(d2);
    const parameters: Record<string, tf.Tensor> = {
      u: uniformTensor([d1, features], bound1, random),
      uBias: uniformTensor([features], bound1, random),
      v: uniformTensor([d2, features], bound2, random),
      vBias: uniformTensor([features], bound2, random),
    };
    if (bias) parameters.bias = tf.zeros([features]);
    return parameters;
  },
  forward: ({ u, uBias, v, vBias, bias: b }, [h1, h2]) => {
    const left = tf.add(tf.matMul(h1 as tf.Tensor, u as tf.Tensor), uBias as tf.Tensor);
    const right = tf.add(tf.matMul(h2 as tf.Tensor, v as tf.Tensor), vBias as tf.Tensor);
    const y = tf.mul(left, right);
    return b === undefined ? y : tf.add(y, b);
  },
});

/**
 * A low-rank bilinear probe trained with TF.js (the original's `LowRankBilinearEstimator`):
 * `y = (h1·U + u) ⊙ (h2·V + v) + b`, one rank-1 bilinear form per output plus the linear and constant
 * terms the two biases add. `bias: false` drops only `b` (as the original, whose `U` and `V` keep
 * theirs). Parameters `u` `[d1, k]`, `uBias`, `v` `[d2, k]`, `vBias`, `bias` `[k]` (starts at 0).
 *
 * @example
 * const pair = lowRankBilinearEstimator({ inputs: [4, 5], classes: 3 });
 * const logits = pair.forward(h1, h2); // [7, 3] for 7 rows
 * logits.dispose();
 * pair.dispose();
 */
export function lowRankBilinearEstimator(options: BilinearOptions = {}): TrainedPairEstimator {
  const where = 'lowRankBilinearEstimator';
  const model = new TrainedModel(
    lowRankArchitecture(options.bias ?? true),
    trainingOf(options, where),
    options.inputs,
    where,
  );
  return pairEstimator('low-rank-bilinear', model);
}
