import { ContextError } from '@tdhook/core';

import { id } from './pruning-options.js';

// Marks a model that a live pruning holds (on the instance, under a registry-wide symbol): a second pruning
// would save already-pruned values as its "originals" and restore out of order. The TF.js counterpart of the
// original's refusal of a pre-existing `weight_orig`/`weight_mask` reparametrisation.
const claimKey = Symbol.for('tdhook.weights.pruning');

/**
 * Claims `root` for one pruning and returns the release; a model already claimed is a `ContextError`, thrown
 * before anything changes.
 *
 * @example
 * const release = claimModel(model);
 * release();
 */
export function claimModel(root: object): () => void {
  if (Object.hasOwn(root, claimKey)) {
    throw new ContextError({
      what: 'This model is already pruned by another prepared pruning',
      where: id,
      fix: 'Restore the other prepared model first (prepared.restore(), or end its using block), or combine both prunings in one.',
    });
  }
  Object.defineProperty(root, claimKey, { configurable: true, value: true });
  return () => {
    Reflect.deleteProperty(root, claimKey);
  };
}
