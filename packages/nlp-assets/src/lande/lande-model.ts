// lande's network as a tdhook Module: dense 620→120, ReLU, dense 120→50, returning the 50 logits (lande
// itself applies a softmax: see landeProbabilities). The dense layers expose `kernel`, `bias` and
// `forwardWith`, so LRP's dense rules apply to them; every child is a hook point.
import * as tf from '@tensorflow/tfjs-core';

import { Module } from '@tdhook/core';

/**
 * A dense layer `x·kernel + bias` (no activation), kernel `[inputs, outputs]`.
 *
 * @example
 * const dense = new LandeDense(tf.ones([620, 120]), tf.zeros([120]));
 * const y = dense.call(x); // [n, 120]
 */
export class LandeDense extends Module {
  readonly lrpKind = 'dense';
  readonly kernel: tf.Variable;
  readonly bias: tf.Variable;

  /** Takes ownership of `kernel` and `bias`. */
  constructor(kernel: tf.Tensor2D, bias: tf.Tensor1D) {
    super();
    this.kernel = this.registerParameter('kernel', kernel);
    this.bias = this.registerParameter('bias', bias);
  }

  /** The affine map with other parameters (what LRP rules recompute with modified weights). */
  forwardWith(x: tf.Tensor, params: { readonly kernel?: tf.Tensor; readonly bias?: tf.Tensor }): tf.Tensor {
    return tf.tidy(() => {
      const z = tf.matMul(x, params.kernel ?? this.kernel);
      return params.bias === undefined ? z : tf.add(z, params.bias);
    });
  }

  forward(x: tf.Tensor): tf.Tensor {
    return this.forwardWith(x, this);
  }
}

/**
 * ReLU as a module of its own, so that hooks and LRP see the activation.
 *
 * @example
 * const y = new LandeRelu().call(x);
 */
export class LandeRelu extends Module {
  readonly lrpKind = 'activation';

  forward(x: tf.Tensor): tf.Tensor {
    return tf.relu(x);
  }
}

/**
 * lande 1.0.10's MLP: `hidden` (dense 620→120) → `relu` → `output` (dense 120→50). Input: lande's 620 n-gram
 * frequencies `[n, 620]` (see featurizeLande); output: 50 logits `[n, 50]` in the order of
 * `LandeBundle.languages`. softmax(logits) equals lande's probabilities.
 *
 * @example
 * const { model } = loadLande();
 * const logits = model.call(input); // input [n, 620]
 */
export class LandeModel extends Module {
  readonly hidden: LandeDense;
  readonly relu: LandeRelu;
  readonly output: LandeDense;

  constructor(hidden: LandeDense, output: LandeDense) {
    super();
    this.hidden = this.registerModule('hidden', hidden);
    this.relu = this.registerModule('relu', new LandeRelu());
    this.output = this.registerModule('output', output);
  }

  forward(x: tf.Tensor): tf.Tensor {
    return this.output.call(this.relu.call(this.hidden.call(x)));
  }
}
