import { UnknownPathError } from '../errors.js';
import { formatModulePath } from '../paths/module-path-format.js';
import { resolveModulePath } from '../paths/module-path-resolver.js';
import type { ModuleTreeNode } from '../paths/module-path-resolver.js';
import { childrenOf, containerKindOf, describeNode, type ModelNode } from './model-node.js';
import { Module } from './module.js';

/**
 * How the path resolver walks models: Modules and Layers models alike.
 *
 * @example
 * resolveModulePath(model, 'encoder.layers[-1]', modelTree);
 */
export const modelTree: ModuleTreeNode<ModelNode> = {
  children: childrenOf,
  containerKind: containerKindOf,
  describe: describeNode,
  // Wrapper transparency: a name not found on a wrapper is looked up inside what it wraps — a Module's child
  // called `module` (the original's convention) or a Layers wrapper's inner `layer`.
  wrapped: (node) =>
    node instanceof Module ? childrenOf(node).find(([name]) => name === 'module')?.[1] : node.layer,
};

/**
 * The submodule at `path` (module path grammar), or a typed error naming the path, the failing segment and
 * the children that exist. A slice (`'layers[0:2]'`) names several modules and is rejected here.
 *
 * @example
 * resolveModule(model, 'encoder.layers[-1]');
 */
export function resolveModule(model: ModelNode, path: string): ModelNode {
  const found = resolveModulePath(model, path, modelTree);
  if (Array.isArray(found)) {
    throw new UnknownPathError({
      what: `Module path '${path}' names ${found.length} modules (a slice), where one module is needed`,
      where: `path '${path}'`,
      fix: 'Index a single module, e.g. [0], or hook each module of the slice.',
    });
  }
  return found;
}

/**
 * Every submodule below `model` (the model itself excluded) with its path, depth first in registration order.
 * Paths are canonical module paths: `'fc1'`, `'encoder.layers.0'`, `'<block/0>.mlp'`.
 *
 * @example
 * namedModules(model).map(([path]) => path); // ['fc1', 'relu1', 'fc2', 'relu2', 'fc3']
 */
export function namedModules(model: ModelNode): [string, ModelNode][] {
  const found: [string, ModelNode][] = [];
  const seen = new Set<ModelNode>([model]);
  const walk = (node: ModelNode, segments: { kind: 'attribute'; name: string; escaped: boolean }[]): void => {
    for (const [name, child] of childrenOf(node)) {
      if (seen.has(child)) continue; // a module registered twice is listed once, at its first path
      seen.add(child);
      const path = [
        ...segments,
        { kind: 'attribute' as const, name, escaped: !/^[A-Za-z0-9_]+$/.test(name) },
      ];
      found.push([formatModulePath(path), child]);
      walk(child, path);
    }
  };
  walk(model, []);
  return found;
}
