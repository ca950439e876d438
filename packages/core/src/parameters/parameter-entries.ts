import type * as tf from '@tensorflow/tfjs-core';

import { InvalidValueError } from '../errors.js';
import type { LayersLike } from '../modules/layers-like.js';
import { childrenOf, type ModelNode } from '../modules/model-node.js';
import { Module } from '../modules/module.js';
import { namedModules, resolveModule } from '../modules/resolve-module.js';
import type { ParameterInfo, ParameterListOptions } from './parameter-info.js';
import { parameterKey } from './parameter-key.js';

/** One parameter with the live access the bridge needs: its description, its value, and a raw write. */
export interface ParameterEntry {
  readonly info: ParameterInfo;
  /** The live value (the variable itself: do not dispose it). */
  readonly read: () => tf.Tensor;
  /** Assigns `value` (same shape and dtype) as is: no constraint runs, so a write back is bit-exact. */
  readonly assign: (value: tf.Tensor) => void;
}

type LayerWeight = NonNullable<LayersLike['weights']>[number] & {
  readonly originalName?: unknown;
  readonly trainable?: unknown;
};

// The weight handle, the identity a parameter is deduplicated by: a Layers container lists its children's
// weights again, and a Module may share a variable with another (tied embeddings).
interface OwnParameter {
  readonly name: string;
  readonly handle: object;
  readonly trainable: boolean;
  readonly read: () => tf.Tensor;
  readonly assign: (value: tf.Tensor) => void;
}

// tfjs-layers makes variable names unique per engine ('fc1/kernel_1' for a second model); originalName keeps
// the name the layer chose ('fc1/kernel'), whose last segment is the parameter's own name.
function fullNameOf(weight: LayerWeight): string {
  return typeof weight.originalName === 'string' ? weight.originalName : weight.name;
}

function assignRaw(weight: LayerWeight, value: tf.Tensor): void {
  // LayerVariable.write would run the layer's constraint (maxNorm rescales even within bounds): assign the
  // variable it wraps instead, so that writing values back restores them exactly.
  const variable = weight.read() as unknown as { assign?: (next: tf.Tensor) => void };
  if (typeof variable.assign === 'function') variable.assign(value);
  else weight.write(value);
}

function layerParameters(node: LayersLike): OwnParameter[] {
  // A container's or wrapper's weights repeat those of the layers below it: keep only its own.
  const below = new Set<object>();
  for (const [, child] of childrenOf(node)) {
    if (!(child instanceof Module)) for (const weight of child.weights ?? []) below.add(weight);
  }
  const own = (node.weights ?? []).filter((weight) => !below.has(weight)) as LayerWeight[];
  const shortOf = (weight: LayerWeight): string => {
    const full = fullNameOf(weight);
    return full.slice(full.lastIndexOf('/') + 1);
  };
  const shorts = own.map(shortOf);
  return own.map((weight, index) => {
    const short = shorts[index] ?? '';
    // Two own weights with one short name (a Bidirectional's forward and backward cells): the full name.
    const name = shorts.indexOf(short) === shorts.lastIndexOf(short) ? short : fullNameOf(weight);
    return {
      name,
      handle: weight,
      trainable: weight.trainable !== false,
      read: () => weight.read(),
      assign: (value) => {
        assignRaw(weight, value);
      },
    };
  });
}

function moduleParameters(node: Module<never[], unknown>): OwnParameter[] {
  return node.namedParameters().map(([name, variable]) => ({
    name,
    handle: variable,
    trainable: variable.trainable,
    read: () => variable,
    assign: (value) => {
      variable.assign(value);
    },
  }));
}

function ownParameters(node: ModelNode): OwnParameter[] {
  return node instanceof Module ? moduleParameters(node) : layerParameters(node);
}

function subtreeOf(model: ModelNode, path: string): Set<ModelNode> {
  const node = path === '' ? model : resolveModule(model, path);
  return new Set<ModelNode>([node, ...namedModules(node).map(([, child]) => child)]);
}

function checkOptions(options: ParameterListOptions, where: string): void {
  const paths: unknown = options.paths;
  if (paths !== undefined && !(Array.isArray(paths) && paths.every((path) => typeof path === 'string'))) {
    throw new InvalidValueError({
      what: 'Option paths must be an array of module paths',
      where: `${where}, option paths`,
      fix: "Pass e.g. ['conv1', 'blocks[0]'], or leave it out for the whole model.",
    });
  }
}

/**
 * Every parameter of `model` (each variable once, at the first module path that owns it, in model order),
 * filtered by `options`, with live access. Unknown `paths` throw `UnknownPathError`.
 *
 * @example
 * collectParameters(model).map((entry) => entry.info.key); // ['conv1.kernel', 'conv1.bias', …]
 */
export function collectParameters(
  model: ModelNode,
  options: ParameterListOptions = {},
  where = 'listParameters()',
): ParameterEntry[] {
  checkOptions(options, where);
  const wanted = options.paths?.map((path) => subtreeOf(model, path));
  const seen = new Set<object>();
  const entries: ParameterEntry[] = [];
  for (const [path, node] of [['', model] as [string, ModelNode], ...namedModules(model)]) {
    for (const parameter of ownParameters(node)) {
      if (seen.has(parameter.handle)) continue;
      seen.add(parameter.handle);
      if (options.trainableOnly === true && !parameter.trainable) continue;
      if (wanted !== undefined && !wanted.some((subtree) => subtree.has(node))) continue;
      const value = parameter.read();
      entries.push({
        info: {
          key: parameterKey(path, parameter.name),
          path,
          name: parameter.name,
          shape: [...value.shape],
          dtype: value.dtype,
          size: value.size,
          trainable: parameter.trainable,
        },
        read: parameter.read,
        assign: parameter.assign,
      });
    }
  }
  return entries;
}
