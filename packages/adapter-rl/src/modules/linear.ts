import * as tf from '@tensorflow/tfjs-core';
import { Module } from '@tdhook/core';

/**
 * Options of {@link Linear}.
 *
 * @example
 * const options: LinearOptions = { seed: 7, bias: true };
 */
export interface LinearOptions {
  /** Seeds the initial values (PyTorch's default: uniform in ±1/√inputs). Default 0. */
  readonly seed?: number;
  /** Whether the layer adds a bias. Default `true`. */
  readonly bias?: boolean;
}

/**
 * `y = x·kernel + bias` over the last axis: the affine layer of the policies here, with parameters named
 * `kernel` (`[inputs, outputs]`) and `bias` as TF.js Dense names them. Implements attribution's
 * `LrpLinearModule` (`lrpKind`, `forwardWith`), so LRP rules apply to it.
 *
 * @example
 * const layer = new Linear(4, 64, { seed: 1 });
 * const y = layer.call(tf.zeros([8, 4])); // [8, 64]
 */
export class Linear extends Module {
  readonly lrpKind = 'dense';
  readonly inputs: number;
  readonly outputs: number;
  readonly kernel: tf.Variable;
  readonly bias: tf.Variable | undefined;

  constructor(inputs: number, outputs: number, options: LinearOptions = {}) {
    super();
    this.inputs = inputs;
    this.outputs = outputs;
    const seed = options.seed ?? 0;
    const bound = 1 / Math.sqrt(inputs);
    this.kernel = this.registerParameter(
      'kernel',
      tf.randomUniform([inputs, outputs], -bound, bound, 'float32', seed),
    );
    this.bias =
      options.bias === false
        ? undefined
        : this.registerParameter('bias', tf.randomUniform([outputs], -bound, bound, 'float32', seed + 1));
  }

  /** The affine map with other parameters (what LRP rules call with modified kernels). */
  forwardWith(x: tf.Tensor, params: { readonly kernel?: tf.Tensor; readonly bias?: tf.Tensor }): tf.Tensor {
    const kernel = (params.kernel ?? this.kernel) as tf.Tensor2D;
    const flat = x.rank === 2 ? (x as tf.Tensor2D) : tf.reshape(x, [-1, this.inputs]);
    let y: tf.Tensor = tf.matMul(flat, kernel);
    if (params.bias !== undefined) y = tf.add(y, params.bias);
    return x.rank === 2 ? y : tf.reshape(y, [...x.shape.slice(0, -1), this.outputs]);
  }

  forward(x: tf.Tensor): tf.Tensor {
    return this.forwardWith(
      x,
      this.bias === undefined ? { kernel: this.kernel } : { kernel: this.kernel, bias: this.bias },
    );
  }
}
