import { namedModules, resolveModule, type ModelNode } from '@tdhook/core';

import type { ConfiguredPruning } from './pruning-options.js';

/**
 * What a pruning may touch: the module under `relativePath` and a test for skipped modules.
 *
 * @example
 * const scope = pruningScope(model, options);
 * scope.skipped(node); // true when the module (or one above it in the skip list) is skipped
 */
export interface PruningScope {
  readonly base: ModelNode;
  /** `relativePath` in canonical form, the prefix of every path inside the scope. */
  readonly basePath: string;
  /** The path from the model root of `path`, given relative to the base. */
  fullPath(path: string): string;
  /**
   * Whether `node`'s own parameters are left out. The first call decides for every module in scope at once
   * (a skip function is called once per module, in model order, the base included).
   */
  skipped(node: ModelNode): boolean;
}

/**
 * Resolves `relativePath` and the skip list (an unknown path is an `UnknownPathError` naming the children
 * that exist, thrown before anything changes).
 *
 * @example
 * pruningScope(model, { skip: ['linear1'], relativePath: '' }).base === model; // true
 */
export function pruningScope(
  model: ModelNode,
  { relativePath, skip }: Pick<ConfiguredPruning, 'relativePath' | 'skip'>,
): PruningScope {
  const base = relativePath === '' ? model : resolveModule(model, relativePath);
  const below = namedModules(base);
  // Canonical, as core's parameter paths are ('blocks[0]' is 'blocks.0').
  const basePath =
    relativePath === '' ? '' : (namedModules(model).find(([, node]) => node === base)?.[0] ?? relativePath);
  const fullPath = (path: string): string =>
    basePath === '' ? path : path === '' ? basePath : `${basePath}.${path}`;
  const listed = typeof skip === 'function' ? [] : skip.map((path) => resolveModule(base, path));
  let decided: Set<ModelNode> | undefined;
  const decide = (): Set<ModelNode> => {
    const skippedNodes = new Set<ModelNode>();
    if (typeof skip === 'function') {
      // Paths relative to relativePath, as the skip list and modules are given.
      for (const [path, node] of [['', base] as const, ...below]) if (skip(path, node)) skippedNodes.add(node);
      return skippedNodes;
    }
    for (const node of listed) {
      skippedNodes.add(node);
      for (const [, child] of namedModules(node)) skippedNodes.add(child);
    }
    return skippedNodes;
  };
  return {
    base,
    basePath,
    fullPath,
    skipped: (node) => (decided ??= decide()).has(node),
  };
}
