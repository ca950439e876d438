import * as tf from '@tensorflow/tfjs-core';
import { Module, namedModules, type ModelNode } from '@tdhook/core';

/**
 * One parameter that pruning may score and zero: where it lives and its live variable.
 *
 * @example
 * const entry: ParameterEntry = { path: 'fc1', name: 'kernel', key: 'fc1.kernel', node, variable };
 */
export interface ParameterEntry {
  /** The owning module's path from the model root (`''` for the root itself). */
  readonly path: string;
  /** The parameter's own name: `kernel`, `bias`, `weight`. */
  readonly name: string;
  /** `${path}.${name}`, or `name` at the root (the state_dict-style key core's parameter bridge uses). */
  readonly key: string;
  readonly node: ModelNode;
  /** The live variable: assigned in place, never disposed here. */
  readonly variable: tf.Variable;
}

interface LayerWeight {
  readonly name: string;
  readonly originalName?: unknown;
  read(): tf.Tensor;
}

/**
 * A parameter's flat key: `${path}.${name}`, or `name` for a parameter of the root.
 *
 * @example
 * keyOf('conv1', 'kernel'); // 'conv1.kernel'
 */
export function keyOf(path: string, name: string): string {
  return path === '' ? name : `${path}.${name}`;
}

// tfjs-layers makes variable names unique per engine ('fc1/kernel_1' for a second model); originalName keeps
// the name the layer chose, whose last segment is the parameter's own name.
function shortName(weight: LayerWeight): string {
  const full = typeof weight.originalName === 'string' ? weight.originalName : weight.name;
  return full.slice(full.lastIndexOf('/') + 1);
}

/**
 * The parameters a module owns itself: a Module's registered parameters, a Layers leaf layer's weights.
 * Layers containers and wrappers list their children's weights, which their children own, so none here:
 * every variable is visited once, at its owner (what the original's `default_skip` achieves for torch,
 * whose `named_parameters()` recurses).
 */
export function ownParameters(path: string, node: ModelNode): ParameterEntry[] {
  if (node instanceof Module) {
    return node
      .namedParameters()
      .map(([name, variable]) => ({ path, name, key: keyOf(path, name), node, variable }));
  }
  if (node.layers !== undefined || node.layer !== undefined) return [];
  return (node.weights ?? []).map((weight) => {
    const name = shortName(weight);
    return { path, name, key: keyOf(path, name), node, variable: weight.read() as tf.Variable };
  });
}

/**
 * Every module under `root` (itself included) with its path from the model root, in model order.
 *
 * @example
 * modulesUnder(model, 'encoder').map(([path]) => path); // ['encoder', 'encoder.fc1', …]
 */
export function modulesUnder(root: ModelNode, rootPath: string): [string, ModelNode][] {
  return [
    [rootPath, root],
    ...namedModules(root).map(([path, node]): [string, ModelNode] => [
      rootPath === '' ? path : `${rootPath}.${path}`,
      node,
    ]),
  ];
}

/**
 * The float parameters under `root`, each once, in model order (integer parameters hold no magnitudes to
 * prune).
 *
 * @example
 * parametersUnder(model, '').map((entry) => entry.key); // ['conv1.kernel', 'conv1.bias', …]
 */
export function parametersUnder(root: ModelNode, rootPath: string): ParameterEntry[] {
  const seen = new Set<tf.Variable>();
  const entries: ParameterEntry[] = [];
  for (const [path, node] of modulesUnder(root, rootPath)) {
    for (const entry of ownParameters(path, node)) {
      if (seen.has(entry.variable) || entry.variable.dtype !== 'float32') continue;
      seen.add(entry.variable);
      entries.push(entry);
    }
  }
  return entries;
}
