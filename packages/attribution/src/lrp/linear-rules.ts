// The rules of linear layers, as zennit 0.5.1 computes them: run the layer's linear part with modified
// inputs and parameters, divide the output relevance by the stabilised modified output, take the
// vector-Jacobian product back to the inputs (the transposed linear map) and weight it by the inputs.
import * as tf from '@tensorflow/tfjs-core';

import { isolatedGradients } from './isolated-gradients.js';
import type { LrpLinearPart, LrpParameters } from './layer-types.js';

/** `z + ε·sign(z)` with sign(0) = +1 (zennit's stabiliser). */
export function stabilize(z: tf.Tensor, epsilon: number): tf.Tensor {
  const sign = tf.sub(tf.mul(tf.cast(tf.greaterEqual(z, 0), 'float32'), 2), 1);
  return tf.add(z, tf.mul(sign, epsilon));
}

type Linear = (inputs: readonly tf.Tensor[]) => tf.Tensor;

const withParameters =
  (linear: LrpLinearPart, params: LrpParameters): Linear =>
  (inputs) =>
    linear.apply(inputs, params);

/** The transposed linear map applied to `dz` (a vector-Jacobian product; the point does not matter). */
function transposed(map: Linear, at: readonly tf.Tensor[], dz: tf.Tensor): tf.Tensor[] {
  return isolatedGradients((...inputs: tf.Tensor[]) => map(inputs), at, dz);
}

function modified(
  params: LrpParameters,
  modify: (param: tf.Tensor) => tf.Tensor,
  zeroBias = false,
): LrpParameters {
  const { kernel, bias } = params;
  return {
    ...(kernel === undefined ? {} : { kernel: modify(kernel) }),
    ...(bias === undefined ? {} : { bias: zeroBias ? tf.zerosLike(bias) : modify(bias) }),
  };
}

const positive = (tensor: tf.Tensor): tf.Tensor => tf.maximum(tensor, 0);
const negative = (tensor: tf.Tensor): tf.Tensor => tf.minimum(tensor, 0);

const times = (xs: readonly tf.Tensor[], gradients: readonly tf.Tensor[]): tf.Tensor[] =>
  xs.map((x, index) => tf.mul(x, gradients[index] as tf.Tensor));

const plus = (a: readonly tf.Tensor[], b: readonly tf.Tensor[]): tf.Tensor[] =>
  a.map((value, index) => tf.add(value, b[index] as tf.Tensor));

/** LRP-ε (and the norm and uniform-ε rules): `R_i = x_i · Jᵀ(R / stab(z))_i / share`. */
export function epsilonRelevance(
  linear: LrpLinearPart,
  xs: readonly tf.Tensor[],
  relevance: tf.Tensor,
  epsilon: number,
  share = 1,
): tf.Tensor[] {
  const map = withParameters(linear, linear.parameters());
  let normalised = tf.div(relevance, stabilize(map(xs), epsilon));
  if (share !== 1) normalised = tf.div(normalised, share);
  return times(xs, transposed(map, xs, normalised));
}

/**
 * α-β (z⁺ is α = 1, β = 0): the positive share `z⁺ = L(x⁺; W⁺, b⁺) + L(x⁻; W⁻, 0)` and the negative share
 * `z⁻ = L(x⁺; W⁻, b⁻) + L(x⁻; W⁺, 0)`, each distributed in proportion to its contributions.
 */
export function alphaBetaRelevance(
  linear: LrpLinearPart,
  xs: readonly tf.Tensor[],
  relevance: tf.Tensor,
  alpha: number,
  beta: number,
  stabilizer: number,
): tf.Tensor[] {
  const params = linear.parameters();
  const upper = withParameters(linear, modified(params, positive));
  const lower = withParameters(linear, modified(params, negative));
  const upperNoBias = withParameters(linear, modified(params, positive, true));
  const lowerNoBias = withParameters(linear, modified(params, negative, true));
  const xp = xs.map(positive);
  const xn = xs.map(negative);
  const share = (onPositive: Linear, onNegative: Linear, onNegativeNoBias: Linear): tf.Tensor[] => {
    const z = tf.add(onPositive(xp), onNegativeNoBias(xn));
    const normalised = tf.div(relevance, stabilize(z, stabilizer));
    return plus(
      times(xp, transposed(onPositive, xp, normalised)),
      times(xn, transposed(onNegative, xn, normalised)),
    );
  };
  const positiveShare = share(upper, lower, lowerNoBias);
  if (beta === 0) return alpha === 1 ? positiveShare : positiveShare.map((r) => tf.mul(r, alpha));
  const negativeShare = share(lower, upper, upperNoBias);
  return positiveShare.map((r, index) =>
    tf.sub(tf.mul(r, alpha), tf.mul(negativeShare[index] as tf.Tensor, beta)),
  );
}

/**
 * The generalised γ-rule of zennit 0.5.1: outputs with z > 0 are distributed by `w + γ·w⁺` on positive and
 * `w + γ·w⁻` on negative inputs, outputs with z < 0 the other way round.
 */
export function gammaRelevance(
  linear: LrpLinearPart,
  xs: readonly tf.Tensor[],
  relevance: tf.Tensor,
  gamma: number,
  stabilizer: number,
): tf.Tensor[] {
  const params = linear.parameters();
  const raised = (tensor: tf.Tensor): tf.Tensor => tf.add(tensor, tf.mul(positive(tensor), gamma));
  const lowered = (tensor: tf.Tensor): tf.Tensor => tf.add(tensor, tf.mul(negative(tensor), gamma));
  const up = withParameters(linear, modified(params, raised));
  const down = withParameters(linear, modified(params, lowered));
  const upNoBias = withParameters(linear, modified(params, raised, true));
  const downNoBias = withParameters(linear, modified(params, lowered, true));
  const z = withParameters(linear, params)(xs);
  const xp = xs.map(positive);
  const xn = xs.map(negative);
  const share = (
    mask: tf.Tensor,
    onPositive: Linear,
    onNegative: Linear,
    onNegativeNoBias: Linear,
  ): tf.Tensor[] => {
    const denominator = stabilize(tf.add(onPositive(xp), onNegativeNoBias(xn)), stabilizer);
    const normalised = tf.div(tf.mul(tf.cast(mask, 'float32'), relevance), denominator);
    return plus(
      times(xp, transposed(onPositive, xp, normalised)),
      times(xn, transposed(onNegative, xn, normalised)),
    );
  };
  return plus(share(tf.greater(z, 0), up, down, downNoBias), share(tf.less(z, 0), down, up, upNoBias));
}

/** w²-rule and flat rule: `R_i = Jᵀ_{W'}(R / stab(L(1; W')))` with W' = W² (bias²) or W' = 1 (no bias). */
export function inputFreeRelevance(
  linear: LrpLinearPart,
  xs: readonly tf.Tensor[],
  relevance: tf.Tensor,
  weights: 'square' | 'flat',
  stabilizer: number,
): tf.Tensor[] {
  const params = linear.parameters();
  const map = withParameters(
    linear,
    weights === 'square'
      ? modified(params, (tensor) => tf.square(tensor))
      : modified(params, (tensor) => tf.onesLike(tensor), true),
  );
  const ones = xs.map((x) => tf.onesLike(x));
  const normalised = tf.div(relevance, stabilize(map(ones), stabilizer));
  return transposed(map, ones, normalised);
}

/** `attention-value`: the gradient of a fused Q‖K‖V projection with Q and K held constant. */
export function valueOnlyRelevance(
  linear: LrpLinearPart,
  xs: readonly tf.Tensor[],
  relevance: tf.Tensor,
): tf.Tensor[] {
  const width = relevance.shape[relevance.rank - 1] as number;
  const third = width / 3;
  const [, , value] = tf.split(relevance, [third, third, third], -1) as [tf.Tensor, tf.Tensor, tf.Tensor];
  const valueOnly = tf.concat([tf.zerosLike(value), tf.zerosLike(value), value], -1);
  return transposed(withParameters(linear, linear.parameters()), xs, valueOnly);
}
