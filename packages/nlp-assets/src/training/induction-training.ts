// The induction model's loss and accuracy: next-token cross-entropy and top-1 accuracy on the positions
// whose next token is a predictable copy (InductionBatch.mask).
import * as tf from '@tensorflow/tfjs-core';

import { generateInductionBatch, type InductionBatch } from '../tasks/induction.js';
import { maskedCrossEntropy } from './losses.js';
import type { TrainableLm } from './trainable-lm.js';

/** Inputs (all but the last token), next-token targets and the mask, as tensors `[n, length − 1]`. */
function shifted(batch: InductionBatch): { inputs: tf.Tensor2D; targets: tf.Tensor2D; mask: tf.Tensor2D } {
  const { count, length } = batch;
  const tokens = tf.tensor2d(batch.tokens, [count, length], 'int32');
  const mask = tf.tensor2d(batch.mask, [count, length]);
  return {
    inputs: tf.slice(tokens, [0, 0], [count, length - 1]),
    targets: tf.slice(tokens, [0, 1], [count, length - 1]),
    mask: tf.slice(mask, [0, 0], [count, length - 1]),
  };
}

/** Cross-entropy on the predictable copied positions. */
export function inductionLoss(model: TrainableLm, batch: InductionBatch): tf.Scalar {
  return tf.tidy(() => {
    const { inputs, targets, mask } = shifted(batch);
    return maskedCrossEntropy(model.logits(inputs), targets, mask);
  });
}

/** Top-1 accuracy on the predictable copied positions of `count` fresh sequences. */
export function inductionAccuracy(
  model: TrainableLm,
  options: { readonly seed: number; readonly count: number },
): { accuracy: number; positions: number } {
  const batch = generateInductionBatch({
    seed: options.seed,
    count: options.count,
    vocabSize: model.config.dVocab,
  });
  const counts = tf.tidy(() => {
    const { inputs, targets, mask } = shifted(batch);
    const predicted = tf.argMax(model.logits(inputs), -1);
    const correct = tf.mul(tf.cast(tf.equal(predicted, targets), 'float32'), mask);
    return tf.stack([tf.sum(correct), tf.sum(mask)]);
  });
  const [hits, positions] = counts.dataSync() as Float32Array;
  counts.dispose();
  return { accuracy: (hits as number) / (positions as number), positions: positions as number };
}
