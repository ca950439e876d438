import * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError, Module, resolveModule, type ModelNode } from '@tdhook/core';

import { parametersUnder } from './pruned-parameters.js';

interface LayerWeight {
  readonly name: string;
  readonly originalName?: unknown;
  read(): tf.Tensor;
}

// tfjs-layers makes variable names unique per engine ('fc1/kernel_1'); originalName keeps the layer's own.
function nameOf(weight: LayerWeight): string {
  return typeof weight.originalName === 'string' ? weight.originalName : weight.name;
}

function variableOf(node: ModelNode, name: string): tf.Variable | undefined {
  if (node instanceof Module) return node.namedParameters().find(([own]) => own === name)?.[1];
  const weights = (node.weights ?? []) as readonly LayerWeight[];
  const found = weights.find((weight) => {
    const full = nameOf(weight);
    return full === name || full.slice(full.lastIndexOf('/') + 1) === name;
  });
  const value = found?.read();
  return value instanceof tf.Variable ? value : undefined;
}

/**
 * The live variables of the model's float parameters, keyed as core's `listParameters` keys them: what
 * `tf.variableGrads` differentiates with respect to (core's bridge hands out copies, which a loss does not
 * depend on).
 *
 * @example
 * parameterVariables(model).get('fc1.kernel'); // the tf.Variable fc1 computes with
 */
export function parameterVariables(model: ModelNode): Map<string, tf.Variable> {
  const variables = new Map<string, tf.Variable>();
  for (const { info } of parametersUnder(model, '')) {
    const variable = variableOf(info.path === '' ? model : resolveModule(model, info.path), info.name);
    if (variable === undefined) {
      throw new InvalidValueError({
        what: `Parameter '${info.key}' is not held in a TF.js variable, so it has no gradient`,
        where: 'gradientImportance',
        fix: 'Score this model with an importance callback of your own.',
      });
    }
    variables.set(info.key, variable);
  }
  return variables;
}
