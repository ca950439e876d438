import * as tf from '@tensorflow/tfjs-core';

import type { PairEstimator } from '../../estimators/estimator.js';
import { TrainedModel, uniformTensor, type Architecture } from './trained-model.js';
import { trainingOf, type TrainingOptions } from './training-options.js';

/**
 * Options of {@link bilinearEstimator} and {@link lowRankBilinearEstimator}.
 *
 * @example
 * const options: BilinearOptions = { inputs: [20, 20], classes: 5, epochs: 15 };
 */
export interface BilinearOptions extends TrainingOptions {
  /** Widths of `h1` and `h2`; default: taken from the first `fit`. */
  readonly inputs?: readonly [number, number];
  /** Learn the output intercept `b`. Default `true`. */
  readonly bias?: boolean;
}

/**
 * A TF.js-trained pair estimator with raw outputs (logits or values) and its variables.
 *
 * @example
 * const pair: TrainedPairEstimator = bilinearEstimator({ inputs: [4, 5], outputs: 3 });
 * const y = pair.forward(h1, h2); // [n, 3], caller owns
 */
export interface TrainedPairEstimator extends PairEstimator {
  /** Raw outputs `[n, classes | outputs]` as a new tensor; works before `fit` when the widths were given. */
  forward(h1: tf.Tensor, h2: tf.Tensor): tf.Tensor;
  /** The variables by name, lent: valid until dispose. */
  readonly parameters: Readonly<Record<string, tf.Variable>>;
}

/** The estimator object around a two-input {@link TrainedModel}. */
export function pairEstimator(name: string, model: TrainedModel): TrainedPairEstimator {
  return {
    name,
    get fitted() {
      return model.fitted;
    },
    get parameters() {
      return model.parameters;
    },
    fit: (h1: tf.Tensor, h2: tf.Tensor, y: tf.Tensor) => {
      model.fit([h1, h2], y);
    },
    predict: (h1: tf.Tensor, h2: tf.Tensor) => model.predict([h1, h2]),
    forward: (h1: tf.Tensor, h2: tf.Tensor) => model.forward([h1, h2]),
    dispose: () => {
      model.dispose();
    },
  };
}

const bilinearArchitecture = (bias: boolean): Architecture => ({
  name: 'bilinear estimator',
  inputs: 2,
  init: ([d1 = 1, d2 = 1], features, random) => {
    // torch's nn.Bilinear: weight [k, d1, d2] and bias uniform in ±1/√d1.
    const bound = 1 / Math.sqrt(d1);
    const weight = uniformTensor([features, d1, d2], bound, random);
    return bias ? { weight, bias: uniformTensor([features], bound, random) } : { weight };
  },
  forward: ({ weight, bias: b }, [h1, h2]) => {
    const w = weight as tf.Tensor3D;
    const [k, d1, d2] = w.shape;
    const x1 = h1 as tf.Tensor2D;
    const x2 = h2 as tf.Tensor2D;
    // y[n, k] = Σᵢⱼ h1[n, i] W[k, i, j] h2[n, j]: h1 · W as [d1, k·d2], then a product with h2 per row.
    const left = tf.reshape(tf.matMul(x1, tf.reshape(tf.transpose(w, [1, 0, 2]), [d1, k * d2])), [-1, k, d2]);
    const y = tf.sum(tf.mul(left, tf.expandDims(x2, 1)), 2);
    return b === undefined ? y : tf.add(y, b);
  },
});

/**
 * A bilinear probe trained with TF.js (the original's `BilinearEstimator`, torch's `nn.Bilinear`):
 * `y_k = h1ᵀ W_k h2 + b_k`, fitted like {@link linearProbe} (Adam, seeded shuffled mini-batches,
 * cross-entropy with `classes`, else mean squared error). Parameters `weight` `[k, d1, d2]`, `bias` `[k]`.
 *
 * @example
 * const pair = bilinearEstimator({ classes: 5, epochs: 15 });
 * pair.fit(h1, h2, labels); // h1 [n, d1], h2 [n, d2], labels [n]
 * const predicted = pair.predict(h1, h2); // int32 [n]
 * pair.dispose();
 */
export function bilinearEstimator(options: BilinearOptions = {}): TrainedPairEstimator {
  const where = 'bilinearEstimator';
  const model = new TrainedModel(
    bilinearArchitecture(options.bias ?? true),
    trainingOf(options, where),
    options.inputs,
    where,
  );
  return pairEstimator('bilinear', model);
}
