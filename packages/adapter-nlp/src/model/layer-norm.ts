import * as tf from '@tensorflow/tfjs-core';

import { Module } from '@tdhook/core';

import { HookPoint } from './hook-point.js';
import type { ParameterSource } from './parameter-source.js';

/**
 * LayerNorm over the last axis as GPT-2 computes it: `(x − mean) / sqrt(var + ε) · weight + bias`, with the
 * biased variance (divided by d) and ε inside the square root. Two hook points, as in TransformerLens
 * without weight processing: `hook_scale` (`sqrt(var + ε)`, `[batch, pos, 1]`) and `hook_normalized` (the
 * whole output, weight and bias included). `lrpKind`, `epsilon`, `gamma` and `beta` let LRP's layer-norm
 * rule treat it as one layer normalisation.
 *
 * @example
 * const ln = new LayerNorm(64, 1e-5, source);
 * const y = ln.call(x); // [batch, pos, 64]
 */
export class LayerNorm extends Module {
  /** LRP's kind: a layer normalisation of the last axis. */
  readonly lrpKind = 'layer-norm' as const;
  readonly epsilon: number;
  /** The weight `[d]` (HF `ln_*.weight`). */
  readonly gamma: tf.Variable;
  /** The bias `[d]` (HF `ln_*.bias`). */
  readonly beta: tf.Variable;
  readonly hookScale: HookPoint = this.registerModule('hook_scale', new HookPoint());
  readonly hookNormalized: HookPoint = this.registerModule('hook_normalized', new HookPoint());

  constructor(dModel: number, epsilon: number, source: ParameterSource) {
    super();
    this.epsilon = epsilon;
    this.gamma = this.registerParameter('weight', source('weight', [dModel]));
    this.beta = this.registerParameter('bias', source('bias', [dModel]));
  }

  forward(x: tf.Tensor): tf.Tensor {
    const centered = tf.sub(x, tf.mean(x, -1, true));
    const variance = tf.mean(tf.square(centered), -1, true);
    const scale = this.hookScale.call(tf.sqrt(tf.add(variance, this.epsilon)));
    const normalized = tf.add(tf.mul(tf.div(centered, scale), this.gamma), this.beta);
    return this.hookNormalized.call(normalized);
  }
}
