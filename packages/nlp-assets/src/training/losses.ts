// The training losses: cross-entropy of the next token, averaged over the positions a mask selects.
import * as tf from '@tensorflow/tfjs-core';

/**
 * Mean cross-entropy (nats) of `targets` under `logits`, over the positions where `mask` is 1 (all when
 * absent). Targets are picked with a one-hot product, not a gather (whose gradient wasm lacks).
 *
 * @example
 * const loss = maskedCrossEntropy(logits, targets, mask); // logits [b, s, v], targets int32 [b, s], mask [b, s]
 */
export function maskedCrossEntropy(logits: tf.Tensor, targets: tf.Tensor, mask?: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    const vocab = logits.shape[logits.rank - 1] as number;
    const logProbs = tf.logSoftmax(logits);
    const picked = tf.sum(tf.mul(logProbs, tf.oneHot(tf.cast(targets, 'int32'), vocab)), -1);
    if (mask === undefined) return tf.neg(tf.mean(picked)) as tf.Scalar;
    return tf.neg(tf.div(tf.sum(tf.mul(picked, mask)), tf.maximum(tf.sum(mask), 1))) as tf.Scalar;
  });
}
