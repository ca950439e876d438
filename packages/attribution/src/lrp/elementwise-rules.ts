// The rules of modules without a linear part LRP recomputes: activations, softmax and layer norm.
import * as tf from '@tensorflow/tfjs-core';

import type { LrpLayer } from './layer-types.js';
import { stabilize } from './linear-rules.js';

/** `R·f(x)/x` (RelP's rule for GELU-like activations). */
export function pseudoIdentityRelevance(
  x: tf.Tensor,
  output: tf.Tensor,
  relevance: tf.Tensor,
  stabilizer: number,
): tf.Tensor {
  return tf.mul(tf.div(output, stabilize(x, stabilizer)), relevance);
}

/** Softmax-ε of LXT: `R_in = (R − y·ΣR)·x`, summed over the softmax axis. */
export function softmaxRelevance(
  layer: LrpLayer,
  x: tf.Tensor,
  output: tf.Tensor,
  relevance: tf.Tensor,
): tf.Tensor {
  return tf.mul(tf.sub(relevance, tf.mul(output, tf.sum(relevance, layer.softmaxAxis ?? -1, true))), x);
}

/** The gradient of a layer norm whose standard deviation is held constant. */
export function layerNormRelevance(layer: LrpLayer, x: tf.Tensor, relevance: tf.Tensor): tf.Tensor {
  const norm = layer.layerNorm as NonNullable<LrpLayer['layerNorm']>;
  const axes = norm.axes.map((axis) => (axis < 0 ? x.rank + axis : axis));
  const mean = tf.mean(x, axes, true);
  // The standard deviation is a constant here: the rule is the gradient of γ·(x − mean)/std + β with std fixed.
  const std = tf.sqrt(tf.add(tf.mean(tf.square(tf.sub(x, mean)), axes, true), norm.epsilon));
  const gamma = norm.gamma();
  const broadcast = x.shape.map((size, axis) => (axes.includes(axis) ? size : 1));
  const scaled = gamma === undefined ? relevance : tf.mul(relevance, tf.reshape(gamma, broadcast));
  const gradient = tf.div(scaled, std);
  return tf.sub(gradient, tf.mean(gradient, axes, true));
}
