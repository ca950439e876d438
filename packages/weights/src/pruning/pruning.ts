import type { HookSpec, MethodFactory } from '@tdhook/core';
import { defineMethod } from '@tdhook/core/plugin';

import { pruneGlobally } from './global-pruning.js';
import { ParameterEdits } from './parameter-edits.js';
import { claimModel } from './pruning-claim.js';
import {
  configurePruning,
  id,
  type ConfiguredPruning,
  type PruningOptions,
} from './pruning-options.js';
import { pruningScope } from './pruning-scope.js';
import { pruneStructured, structuredTargets } from './structured-pruning.js';

function pruneSpec(relativePath: string): HookSpec & { readonly direction: null } {
  return { path: relativePath, direction: null, operation: 'prune-parameters' };
}

/**
 * Pruning (the original's `Pruning`): zeroes parameter entries for as long as the model is prepared, and
 * writes the saved originals back, bit for bit, on `restore()` (or at the end of a `using` block), also when
 * preparing fails partway. Global unstructured with `amount` (magnitude, or any `importance`); structured Ln
 * over an axis with `modules` (units, channels, attention heads with `groupSize`). Measure what it achieved
 * with {@link measureSparsity}. Program: one `prune-parameters` state change at `relativePath`. Model keys
 * unchanged, one pass; a model another live pruning holds is a `ContextError`.
 *
 * @example
 * {
 *   using prepared = pruning({ amount: 0.5 }).prepare(model); // the half of all weights smallest in |θ| zeroed
 *   measureSparsity(model).fraction; // 0.5
 *   using result = prepared.run(data);
 * } // every parameter back as it was
 */
export const pruning: MethodFactory<PruningOptions, ConfiguredPruning> = /* @__PURE__ */ defineMethod<
  PruningOptions,
  ConfiguredPruning
>({
  contract: 'tdhook.method/1',
  id,
  summary: 'Zeroes parameters by importance (global or structured), restored exactly after',
  configure: configurePruning,
  requirements: () => ({ modelPasses: 1, gradients: 'optional' }),
  plan: (options, model) => {
    // Against a model, every path is resolved now: a bad one is an error before anything changes.
    if (model.node !== undefined) {
      const scope = pruningScope(model.node, options);
      if (options.modules !== undefined) structuredTargets(model.node, scope, options.modules);
    }
    return { hooks: [pruneSpec(options.relativePath)], inKeys: model.inKeys, outKeys: [] };
  },
  bind: (options, context) => {
    const root = context.model.model;
    const scope = pruningScope(root, options);
    const targets = options.modules === undefined ? [] : structuredTargets(root, scope, options.modules);
    const release = claimModel(root);
    const edits = new ParameterEdits(root);
    try {
      // Recorded before the first write: whatever fails later, the prepared model undoes what was written.
      context.record(pruneSpec(options.relativePath), () => {
        try {
          edits.undo();
        } finally {
          release();
        }
      });
    } catch (error) {
      release();
      throw error;
    }
    if (options.modules === undefined) {
      pruneGlobally(root, scope, options.amount ?? 0, options.importance, edits);
    } else {
      pruneStructured(root, scope, targets, options.importance, edits);
    }
    return { run: (data) => context.model.run(data) };
  },
});
