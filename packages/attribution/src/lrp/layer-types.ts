import type * as tf from '@tensorflow/tfjs-core';

/**
 * How LRP classifies a module, which decides its default rule (composites and rule maps by type use these
 * names too):
 * - `dense`, `convolution`: affine layers (Dense; Conv1D/2D, DepthwiseConv2D), where composites differ;
 * - `batch-norm` (inference), `layer-norm`, `activation` (also fused ones), `softmax`;
 * - `max-pool`, `average-pool` (also global pooling and parameter-free linear modules);
 * - `merge` (Add, Average, Concatenate), `reshape` (Flatten, Reshape, Permute, padding), `dropout`;
 * - `container` (modules with children: never given a rule unless named by path) and `unknown`.
 *
 * @example
 * const kind: LrpLayerKind = 'convolution';
 */
export type LrpLayerKind =
  | 'dense'
  | 'convolution'
  | 'batch-norm'
  | 'layer-norm'
  | 'activation'
  | 'softmax'
  | 'max-pool'
  | 'average-pool'
  | 'merge'
  | 'reshape'
  | 'dropout'
  | 'container'
  | 'unknown';

/**
 * The parameters of an affine layer as rules see them: a kernel and an optional bias (rules replace them by
 * modified copies, e.g. their positive parts).
 *
 * @example
 * const params: LrpParameters = { kernel: tf.ones([4, 2]), bias: tf.zeros([2]) };
 */
export interface LrpParameters {
  readonly kernel?: tf.Tensor;
  readonly bias?: tf.Tensor;
}

/**
 * How a plain tdhook Module opts in to the LRP rules of affine layers: expose its `kernel` and `bias` and a
 * `forwardWith(x, params)` that computes the module's affine part with the given parameters (no activation).
 * Without `forwardWith` and `kernel`, a parameter-free linear map (a sum or an average) is described.
 *
 * @example
 * class Dense extends Module implements LrpLinearModule {
 *   readonly lrpKind = 'dense';
 *   forwardWith(x: tf.Tensor, { kernel, bias }: LrpParameters): tf.Tensor {
 *     const z = tf.matMul(x as tf.Tensor2D, kernel as tf.Tensor2D);
 *     return bias === undefined ? z : tf.add(z, bias);
 *   }
 *   forward(x: tf.Tensor): tf.Tensor { return this.forwardWith(x, this); }
 *   // ...kernel and bias registered as parameters
 * }
 */
export interface LrpLinearModule {
  /** The kind for rule maps; default `'dense'` for a rank-2 kernel, `'convolution'` for other kernels, `'average-pool'` without one. */
  readonly lrpKind?: LrpLayerKind;
  readonly kernel?: tf.Tensor;
  readonly bias?: tf.Tensor;
  /** The module's linear (affine) part on `x` with these parameters. */
  forwardWith(x: tf.Tensor, params: LrpParameters): tf.Tensor;
}

/**
 * How a plain tdhook Module opts in to the `layer-norm` rule: it normalises its last axis as
 * `γ·(x − mean)/sqrt(var + epsilon) + β`.
 *
 * @example
 * class LayerNorm extends Module implements LrpLayerNormModule {
 *   readonly lrpKind = 'layer-norm';
 *   readonly epsilon = 1e-5;
 *   // gamma, beta parameters; forward(x) normalises the last axis
 * }
 */
export interface LrpLayerNormModule {
  readonly lrpKind: 'layer-norm';
  readonly epsilon: number;
  readonly gamma?: tf.Tensor;
  readonly beta?: tf.Tensor;
}

/**
 * An affine or linear map that rules recompute with modified parameters (a dense layer's `x·W + b`, a
 * convolution, an inference batch norm's per-channel scale and shift, an average pool, a sum).
 *
 * @example
 * // The ε-rule's denominator: the layer's own output.
 * const z = linear.apply(inputs, linear.parameters());
 * // z⁺'s positive part: the same map with positive weights.
 * const { kernel, bias } = linear.parameters();
 * const zPlus = linear.apply(inputs, { kernel: tf.relu(kernel as tf.Tensor), bias });
 */
export interface LrpLinearPart {
  /** The layer's own parameters; called inside a tidy (derived parameters are new tensors). */
  parameters(): LrpParameters;
  /** The map on `inputs` with `params` (kernel and bias absent where the layer has none). */
  apply(inputs: readonly tf.Tensor[], params: LrpParameters): tf.Tensor;
}

/**
 * What LRP knows about one module: its kind and, where it has one, the math that rules need. Rules get it in
 * every call (`LrpRuleCall`); composites match on its kind and class name.
 *
 * @example
 * const check = (layer: LrpLayer): string | undefined =>
 *   layer.linear === undefined ? `needs a linear layer, got a ${layer.kind} module` : undefined;
 */
export interface LrpLayer {
  readonly kind: LrpLayerKind;
  /** For messages: `Dense 'fc1'`. */
  readonly description: string;
  /** Class name for rule maps by type: a Layers class (`Conv2D`) or a Module's type name. */
  readonly className: string;
  readonly linear?: LrpLinearPart;
  readonly layerNorm?: {
    readonly axes: readonly number[];
    readonly epsilon: number;
    gamma(): tf.Tensor | undefined;
    beta(): tf.Tensor | undefined;
  };
  /** The axis a softmax normalises (softmax-ε sums relevance over it). */
  readonly softmaxAxis?: number;
  /** Why the layer's math is not available (an unsupported configuration), for errors. */
  readonly unsupported?: string;
}
