import * as tf from '@tensorflow/tfjs-core';

import { Module } from '@tdhook/core';

import type { ParameterSource } from './parameter-source.js';

/**
 * The parameters {@link Conv1D.forwardWith} computes with: a kernel `[in, out]` and an optional bias `[out]`.
 *
 * @example
 * const params: Conv1DParameters = { kernel: conv.kernel, bias: tf.zerosLike(conv.bias) };
 */
export interface Conv1DParameters {
  readonly kernel?: tf.Tensor;
  readonly bias?: tf.Tensor;
}

/**
 * GPT-2's affine layer in Hugging Face's `Conv1D` layout: `y = x · W + b` with `W` stored `[in, out]` (no
 * transpose), applied to the last axis of an input of any rank. Parameters `weight` and `bias` (the HF
 * names); `kernel` and `bias` with `forwardWith` make it an affine layer for LRP's rules.
 *
 * @example
 * const fc = new Conv1D(64, 256, (name, shape) => tf.variable(tf.randomNormal(shape, 0, 0.02)));
 * const y = fc.call(x); // x [batch, pos, 64] → y [batch, pos, 256]
 */
export class Conv1D extends Module {
  /** LRP's kind: an affine layer. */
  readonly lrpKind = 'dense' as const;
  /** `[in, out]`. */
  readonly kernel: tf.Variable;
  /** `[out]`. */
  readonly bias: tf.Variable;
  readonly inFeatures: number;
  readonly outFeatures: number;

  constructor(inFeatures: number, outFeatures: number, source: ParameterSource) {
    super();
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    this.kernel = this.registerParameter('weight', source('weight', [inFeatures, outFeatures]));
    this.bias = this.registerParameter('bias', source('bias', [outFeatures]));
  }

  /**
   * `x · kernel + bias` on the last axis, with the given parameters (LRP recomputes with modified ones).
   *
   * @example
   * const zPlus = conv.forwardWith(x, { kernel: tf.relu(conv.kernel), bias: conv.bias });
   */
  forwardWith(x: tf.Tensor, { kernel, bias }: Conv1DParameters): tf.Tensor {
    return tf.tidy(() => {
      const w = (kernel ?? this.kernel) as tf.Tensor2D;
      const inner = x.shape.at(-1) ?? 0;
      const flat = tf.reshape<tf.Rank.R2>(x, [-1, inner]);
      const product = tf.matMul(flat, w);
      const shifted = bias === undefined ? product : tf.add(product, bias);
      return tf.reshape(shifted, [...x.shape.slice(0, -1), w.shape[1]]);
    });
  }

  forward(x: tf.Tensor): tf.Tensor {
    return this.forwardWith(x, { kernel: this.kernel, bias: this.bias });
  }
}
