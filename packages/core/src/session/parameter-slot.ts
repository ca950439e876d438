import type * as tf from '@tensorflow/tfjs-core';

import { InvalidValueError } from '../errors.js';
import { describeNode, type ModelNode } from '../modules/model-node.js';
import { Module } from '../modules/module.js';

/** One parameter of a module, read and written the same way for Modules and Layers layers. */
export interface ParameterSlot {
  /** The name it was found under. */
  readonly name: string;
  /** The live value (the variable itself: do not dispose it). */
  read(): tf.Tensor;
  /** Assigns a value of the same shape and dtype in place; the caller keeps (and disposes) `value`. */
  write(value: tf.Tensor): void;
}

interface LayerWeight {
  readonly name: string;
  readonly originalName?: unknown;
  read(): tf.Tensor;
  write(value: tf.Tensor): void;
}

// tfjs-layers makes variable names unique per engine ('fc1/kernel_1' for a second model); originalName
// keeps the name the layer chose ('fc1/kernel'), whose last segment is the parameter's own name.
function namesOf(weight: LayerWeight): { full: string; short: string } {
  const full = typeof weight.originalName === 'string' ? weight.originalName : weight.name;
  return { full, short: full.slice(full.lastIndexOf('/') + 1) };
}

function moduleSlot(node: Module<never[], unknown>, name: string): ParameterSlot | string[] {
  const parameters = node.namedParameters();
  const found = parameters.find(([parameterName]) => parameterName === name)?.[1];
  if (found === undefined) return parameters.map(([parameterName]) => parameterName);
  return {
    name,
    read: () => found,
    write: (value) => {
      found.assign(value);
    },
  };
}

function layerSlot(weights: readonly LayerWeight[], name: string): ParameterSlot | string[] {
  const matches = weights.filter((weight) => {
    const { full, short } = namesOf(weight);
    return short === name || full === name || weight.name === name;
  });
  const [only] = matches;
  if (only !== undefined && matches.length === 1) {
    return {
      name,
      read: () => only.read(),
      write: (value) => {
        only.write(value);
      },
    };
  }
  if (matches.length > 1) {
    throw new InvalidValueError({
      what: `Parameter '${name}' is ambiguous: ${matches.map((weight) => namesOf(weight).full).join(', ')}`,
      where: 'target.parameter',
      fix: 'Give the full weight name, or point the path at the layer that owns the parameter.',
    });
  }
  return weights.map((weight) => namesOf(weight).short);
}

/**
 * The parameter `name` of `node`: a Module's own parameter (`namedParameters()`), or a Layers weight whose
 * name is `name` or ends with `/name` (Dense weights are named like `fc1/kernel`). A missing parameter is an
 * `InvalidValueError` that lists the ones there are.
 *
 * @example
 * findParameter(resolveModule(model, 'fc1'), 'kernel', 'fc1').read(); // [16, 64]
 */
export function findParameter(node: ModelNode, name: string, path: string): ParameterSlot {
  const found = node instanceof Module ? moduleSlot(node, name) : layerSlot(node.weights ?? [], name);
  if (!Array.isArray(found)) return found;
  const listed = found.length === 0 ? 'it has no parameters' : `its parameters: ${found.join(', ')}`;
  const unbuilt = node instanceof Module ? '' : ' A Layers layer creates its weights when first built.';
  throw new InvalidValueError({
    what: `Module '${path}' (${describeNode(node)}) has no parameter '${name}'`,
    where: 'target.parameter',
    fix: `Use one of ${listed}.${unbuilt}`,
  });
}
