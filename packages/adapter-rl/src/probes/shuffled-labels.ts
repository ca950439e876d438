import * as tf from '@tensorflow/tfjs-core';
import { seededRandom } from '@tdhook/core/plugin';

/**
 * The labels in a seeded random order (Fisher–Yates over `seededRandom(seed)`): the shuffled-label control,
 * which keeps the labels' distribution and breaks their link to the rows. The caller owns the result.
 *
 * @example
 * const control = shuffledLabels(tf.tensor1d([0, 1, 1, 0], 'int32'), 1); // the same labels, reordered
 */
export function shuffledLabels(labels: tf.Tensor1D, seed: number): tf.Tensor1D {
  return shuffledRows(labels, seed) as tf.Tensor1D;
}

/**
 * The rows of `values` (`[n, ...]`) in the seeded random order of {@link shuffledLabels}: the columns of a
 * multi-target regression stay together, each column permuted as `shuffledLabels` would permute it alone.
 * The caller owns the result.
 *
 * @example
 * const control = shuffledRows(targets, 1); // targets [n, k]
 */
export function shuffledRows(values: tf.Tensor, seed: number): tf.Tensor {
  const n = values.shape[0];
  const order = Array.from({ length: n }, (_, i) => i);
  const random = seededRandom(seed);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j] ?? 0, order[i] ?? 0];
  }
  return tf.tidy(() => tf.gather(values, tf.tensor1d(Int32Array.from(order), 'int32')));
}
