import type * as tf from '@tensorflow/tfjs-core';

/**
 * One parameter of a model, described without its values (see {@link listParameters}).
 *
 * @example
 * const info: ParameterInfo = listParameters(model)[0];
 * // { key: 'conv1.kernel', path: 'conv1', name: 'kernel', shape: [3, 3, 1, 8], dtype: 'float32', size: 72, trainable: true }
 */
export interface ParameterInfo {
  /** `parameterKey(path, name)`: the key in a parameters TensorDict. */
  readonly key: string;
  /** The canonical module path of the module that owns it (`''` for the root). */
  readonly path: string;
  /** Its name in that module: a Module's parameter name, or a Layers weight's short name (`kernel`). */
  readonly name: string;
  readonly shape: readonly number[];
  readonly dtype: tf.DataType;
  /** The number of entries (product of the shape). */
  readonly size: number;
  /** False for non-trainable weights (BatchNorm's moving statistics, frozen layers and variables). */
  readonly trainable: boolean;
}

/**
 * Which parameters {@link listParameters}, {@link readParameters} and friends look at.
 *
 * @example
 * const options: ParameterListOptions = { paths: ['conv1', 'dense'], trainableOnly: true };
 */
export interface ParameterListOptions {
  /**
   * Only the parameters of the modules at these module paths and below them (any path grammar form:
   * `'blocks[0]'` and `'blocks.0'` are the same module). Default: the whole model.
   */
  readonly paths?: readonly string[];
  /** Leave out non-trainable parameters. Default false: every parameter, trainable or not. */
  readonly trainableOnly?: boolean;
}
