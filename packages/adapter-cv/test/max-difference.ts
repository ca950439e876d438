import * as tf from '@tensorflow/tfjs-core';

/** The largest absolute element-wise difference between two tensors of one shape. */
export function maxDifference(a: tf.Tensor, b: tf.Tensor): number {
  const difference = tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))));
  const value = difference.dataSync()[0] ?? NaN;
  difference.dispose();
  return value;
}
