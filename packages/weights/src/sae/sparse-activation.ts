import * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError } from '@tdhook/core';

/**
 * The sparsity of a dictionary's features: `'relu'` (sparse through an L1 penalty while training) or
 * `{ topK: k }` (exactly the k largest pre-activations of a row are kept, then ReLU; no penalty needed).
 *
 * @example
 * const relu: SparseActivation = 'relu';
 * const topK: SparseActivation = { topK: 8 };
 */
export type SparseActivation = 'relu' | { readonly topK: number };

/** Throws unless `activation` is 'relu' or `{ topK }` with an integer 1 ≤ k ≤ features. */
export function checkActivation(activation: SparseActivation, features: number, where: string): void {
  if (activation === 'relu') return;
  const k = typeof activation === 'object' ? (activation as { topK?: unknown }).topK : undefined;
  if (typeof k !== 'number' || !Number.isInteger(k) || k < 1 || k > features) {
    throw new InvalidValueError({
      what: `activation must be 'relu' or { topK: k } with an integer 1 ≤ k ≤ features (${String(features)}), got ${JSON.stringify(activation)}`,
      where,
      fix: "Pass 'relu', or { topK: 16 } with k no larger than the number of features.",
    });
  }
}

// Keeps the k largest entries of each row, then ReLU. The mask is a constant for the gradient (TF.js has no
// TopK gradient, and the selection is piecewise constant anyway): d/dx = mask · [x > 0].
const topKMask = (k: number) =>
  tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [pre, save] = args as [tf.Tensor, tf.GradSaveFunc];
    const kth = tf.slice(tf.topk(pre, k).values, [0, k - 1], [-1, 1]);
    const keep = tf.mul(tf.cast(tf.greaterEqual(pre, kth), 'float32'), tf.step(pre));
    save([keep]);
    return {
      value: tf.mul(pre, keep),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.mul(dy, saved[0] as tf.Tensor),
    };
  });

/** Applies `activation` to pre-activations `[rows, features]`. */
export function applyActivation(pre: tf.Tensor2D, activation: SparseActivation): tf.Tensor2D {
  if (activation === 'relu') return tf.relu(pre);
  return topKMask(activation.topK)(pre) as tf.Tensor2D;
}
