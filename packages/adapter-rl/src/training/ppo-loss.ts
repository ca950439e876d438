import * as tf from '@tensorflow/tfjs-core';

import type { ActorCritic } from '../policies/actor-critic.js';

/**
 * One minibatch of PPO: `B` observations `[B, observationSize]`, the actions taken (int32 `[B]`), their
 * log-probabilities under the policy that collected them, the advantages (already normalised, if wanted) and
 * the value targets, all `[B]`.
 *
 * @example
 * const batch: PpoMinibatch = { observation, action, oldLogProb, advantage, target };
 */
export interface PpoMinibatch {
  readonly observation: tf.Tensor;
  readonly action: tf.Tensor;
  readonly oldLogProb: tf.Tensor;
  readonly advantage: tf.Tensor;
  readonly target: tf.Tensor;
}

/**
 * The coefficients of {@link ppoLoss}.
 *
 * @example
 * const coefficients: PpoLossCoefficients = { clip: 0.2, valueCoefficient: 0.5, entropyCoefficient: 0.01 };
 */
export interface PpoLossCoefficients {
  /** ε of the clipped ratio `clip(r, 1 − ε, 1 + ε)`. */
  readonly clip: number;
  /** Weight of the value loss. */
  readonly valueCoefficient: number;
  /** Weight of the entropy bonus (subtracted from the loss). */
  readonly entropyCoefficient: number;
}

/**
 * The loss and its parts, all scalars: `loss = policyLoss + valueCoefficient·valueLoss −
 * entropyCoefficient·entropy`; `approxKl` (mean of `(r − 1) − log r`, always ≥ 0) and `clipFraction` (share of
 * samples whose ratio left `[1 − ε, 1 + ε]`) are diagnostics.
 *
 * @example
 * const terms: PpoLossTerms = ppoLoss(policy, batch, coefficients);
 * terms.loss.dataSync()[0];
 */
export type PpoLossTerms = {
  readonly loss: tf.Scalar;
  readonly policyLoss: tf.Scalar;
  readonly valueLoss: tf.Scalar;
  readonly entropy: tf.Scalar;
  readonly approxKl: tf.Scalar;
  readonly clipFraction: tf.Scalar;
};

/**
 * PPO's clipped surrogate objective with a value loss and an entropy bonus (Schulman et al. 2017), for a
 * minibatch: with `r = exp(log π(a|s) − log π_old(a|s))` and advantages `A`,
 * `policyLoss = −mean(min(r·A, clip(r, 1 − ε, 1 + ε)·A))`, `valueLoss = ½·mean((V(s) − target)²)` and
 * `entropy = mean(−Σ π log π)`. Differentiable in the policy's variables (call it inside `tf.variableGrads`);
 * the chosen log-probability is picked with a one-hot product, which has gradients on every backend.
 *
 * @example
 * const { value, grads } = tf.variableGrads(() => ppoLoss(policy, batch, coefficients).loss);
 */
export function ppoLoss(
  policy: ActorCritic,
  batch: PpoMinibatch,
  coefficients: PpoLossCoefficients,
): PpoLossTerms {
  const { clip, valueCoefficient, entropyCoefficient } = coefficients;
  const { logits, value } = policy.call(batch.observation);
  const logProbs = tf.logSoftmax(logits);
  const chosen = tf.oneHot(tf.cast(batch.action, 'int32'), policy.actions);
  const logProb = tf.sum(tf.mul(logProbs, chosen), -1);
  const logRatio = tf.sub(logProb, batch.oldLogProb);
  const ratio = tf.exp(logRatio);
  const unclipped = tf.mul(ratio, batch.advantage);
  const clipped = tf.mul(tf.clipByValue(ratio, 1 - clip, 1 + clip), batch.advantage);
  const policyLoss = tf.neg(tf.mean(tf.minimum(unclipped, clipped)));
  const valueLoss = tf.mul(tf.mean(tf.square(tf.sub(value, batch.target))), 0.5);
  const entropy = tf.mean(tf.neg(tf.sum(tf.mul(tf.exp(logProbs), logProbs), -1)));
  const loss = tf.sub(
    tf.add(policyLoss, tf.mul(valueLoss, valueCoefficient)),
    tf.mul(entropy, entropyCoefficient),
  );
  const approxKl = tf.mean(tf.sub(tf.sub(ratio, 1), logRatio));
  const outside = tf.greater(tf.abs(tf.sub(ratio, 1)), clip);
  const clipFraction = tf.mean(tf.cast(outside, 'float32'));
  return {
    loss: loss as tf.Scalar,
    policyLoss: policyLoss as tf.Scalar,
    valueLoss: valueLoss as tf.Scalar,
    entropy: entropy as tf.Scalar,
    approxKl: approxKl as tf.Scalar,
    clipFraction: clipFraction as tf.Scalar,
  };
}
