import * as tf from '@tensorflow/tfjs-core';

import type { ModelNode } from '../modules/model-node.js';
import { TensorDict } from '../tensordict/tensor-dict.js';
import type { ParameterListOptions } from './parameter-info.js';
import { collectParameters } from './parameter-entries.js';

/**
 * The current values of a model's parameters as a new TensorDict (batch shape `[]`) keyed by
 * {@link parameterKey} (`'conv1.kernel'`), in {@link listParameters} order. The tensors are snapshots the
 * caller owns: later writes to the model do not change them. Dispose the dict (or use `using`).
 *
 * @example
 * using pretrained = readParameters(model);
 * pretrained.getTensor('conv1.kernel').shape; // [3, 3, 1, 8]
 */
export function readParameters(model: ModelNode, options: ParameterListOptions = {}): TensorDict {
  const entries = collectParameters(model, options, 'readParameters()');
  // A clone shares the variable's current data; an assign gives the variable new data, so it is a snapshot.
  // Kept, so that the dict also outlives a tf.tidy it was read in (the caller disposes it).
  return new TensorDict(entries.map((entry) => [entry.info.key, tf.keep(tf.clone(entry.read()))] as const));
}
