import { namedModules, resolveModule, type ModelNode } from '@tdhook/core';

import type { ConfiguredPruning } from './pruning-options.js';

/**
 * What a pruning may touch: the module under `relativePath` and a test for skipped modules.
 *
 * @example
 * const scope = pruningScope(model, options);
 * scope.skipped('fc1', node); // true when fc1 (or a module above it) is in skip
 */
export interface PruningScope {
  readonly base: ModelNode;
  /** `relativePath`, the prefix of every path inside the scope. */
  readonly basePath: string;
  /** The path from the model root of `path`, given relative to the base. */
  fullPath(path: string): string;
  skipped(path: string, node: ModelNode): boolean;
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
  const fullPath = (path: string): string =>
    relativePath === '' ? path : path === '' ? relativePath : `${relativePath}.${path}`;
  if (typeof skip === 'function') {
    // The function sees paths relative to relativePath, as modules and the skip list are given.
    const relative = (path: string): string =>
      relativePath === '' ? path : path === relativePath ? '' : path.slice(relativePath.length + 1);
    return { base, basePath: relativePath, fullPath, skipped: (path, node) => skip(relative(path), node) };
  }
  const skippedNodes = new Set<ModelNode>();
  for (const path of skip) {
    const node = resolveModule(base, path);
    skippedNodes.add(node);
    for (const [, below] of namedModules(node)) skippedNodes.add(below);
  }
  return { base, basePath: relativePath, fullPath, skipped: (_path, node) => skippedNodes.has(node) };
}
