// Mini-batch Adam on TF.js for wide inputs (solver-choice.ts): the same objective divided by n, in float32,
// on shuffled batches (seeded). Approximate by nature: it stops after `epochs`, not at a gradient test.
import * as tf from '@tensorflow/tfjs-core';
import { seededRandom } from '@tdhook/core/plugin';

import { scoreRows } from './logistic-objective.js';

/** The options of {@link minibatchSolve}. */
export interface MinibatchOptions {
  readonly c: number;
  readonly fitIntercept: boolean;
  readonly epochs: number;
  readonly batchSize: number;
  readonly learningRate: number;
  readonly seed: number;
}

/**
 * Fits the logistic objective on `x` `[n, d]` (borrowed) with class indices `labels`; returns θ in the layout
 * of logistic-objective.ts.
 *
 * @example
 * const theta = minibatchSolve(x, labels, 2, { c: 1, fitIntercept: true, epochs: 100, batchSize: 256, learningRate: 0.01, seed: 0 });
 */
export function minibatchSolve(
  x: tf.Tensor,
  labels: Int32Array,
  classCount: number,
  options: MinibatchOptions,
): Float64Array {
  const [n = 0, d = 0] = x.shape;
  const xs = x.dtype === 'float32' ? x : tf.cast(x, 'float32');
  const rows = scoreRows(classCount);
  // Made in a tidy so the zeros they start from are freed (variables survive it).
  const weights = tf.tidy(() => tf.variable(tf.zeros([d, rows]), true));
  const bias = tf.tidy(() => tf.variable(tf.zeros([rows]), options.fitIntercept));
  const targets = tf.tidy(() =>
    rows === 1
      ? tf.tensor2d(Float32Array.from(labels), [n, 1])
      : tf.cast(tf.oneHot(tf.tensor1d(labels, 'int32'), classCount), 'float32'),
  );
  const optimizer = tf.train.adam(options.learningRate);
  const random = seededRandom(options.seed);
  const order = Int32Array.from({ length: n }, (_, i) => i);
  const variables = options.fitIntercept ? [weights, bias] : [weights];
  try {
    for (let epoch = 0; epoch < options.epochs; epoch++) {
      for (let i = n - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1));
        const swap = order[i] ?? 0;
        order[i] = order[j] ?? 0;
        order[j] = swap;
      }
      for (let start = 0; start < n; start += options.batchSize) {
        tf.tidy(() => {
          const indices = tf.tensor1d(order.subarray(start, Math.min(n, start + options.batchSize)), 'int32');
          const xb = tf.gather(xs, indices);
          const yb = tf.gather(targets, indices);
          optimizer.minimize(
            () => {
              const scores = tf.add(tf.matMul(xb, weights), bias);
              const losses =
                rows === 1
                  ? tf.sub(tf.softplus(scores), tf.mul(yb, scores))
                  : tf.sub(tf.logSumExp(scores, 1), tf.sum(tf.mul(yb, scores), 1));
              const penalty = tf.div(tf.sum(tf.square(weights)), 2 * options.c * n);
              return tf.add<tf.Scalar>(tf.mean(losses), penalty);
            },
            false,
            variables,
          );
        });
      }
    }
    const w = weights.dataSync();
    const b = bias.dataSync();
    const stride = d + (options.fitIntercept ? 1 : 0);
    const theta = new Float64Array(rows * stride);
    for (let k = 0; k < rows; k++) {
      for (let j = 0; j < d; j++) theta[k * stride + j] = w[j * rows + k] ?? 0;
      if (options.fitIntercept) theta[k * stride + d] = b[k] ?? 0;
    }
    return theta;
  } finally {
    optimizer.dispose();
    tf.dispose([weights, bias, targets]);
    if (xs !== x) xs.dispose();
  }
}
