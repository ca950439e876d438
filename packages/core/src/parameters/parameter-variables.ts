import * as tf from '@tensorflow/tfjs-core';

import type { ModelNode } from '../modules/model-node.js';
import { collectParameters } from './parameter-entries.js';
import type { ParameterListOptions } from './parameter-info.js';

function variableOf(value: tf.Tensor): tf.Variable | undefined {
  return value instanceof tf.Variable ? value : undefined;
}

/**
 * The live `tf.Variable` of every parameter of `model`, keyed and ordered as {@link listParameters} keys them
 * (each variable once): what `tf.variableGrads` differentiates with respect to, since `readParameters` hands
 * out copies that no loss depends on. Parameters not held in a variable are left out. Never dispose them.
 *
 * @example
 * parameterVariables(model).get('fc1.kernel'); // the tf.Variable fc1 computes with
 */
export function parameterVariables(
  model: ModelNode,
  options: ParameterListOptions = {},
): Map<string, tf.Variable> {
  const variables = new Map<string, tf.Variable>();
  for (const entry of collectParameters(model, options, 'parameterVariables()')) {
    const variable = variableOf(entry.read());
    if (variable !== undefined) variables.set(entry.info.key, variable);
  }
  return variables;
}
