import type { ModelNode } from '../modules/model-node.js';
import { resolveModule } from '../modules/resolve-module.js';
import { findParameter } from './parameter-slot.js';
import { checkUnits } from './selection.js';
import { describeTarget, normalizeTarget, type Target } from './target.js';

/**
 * Checks a target against a model and returns the module it names: the path must resolve (an
 * `UnknownPathError` lists the children there are, an `InvalidPathError` says where it does not parse), and a
 * parameter target's parameter must exist with its axis and indices in range (`InvalidValueError`).
 * Activations and gradients are checked against their shape when the model runs.
 *
 * @example
 * validateTarget(model, { path: 'fc1', kind: 'parameter', parameter: 'kernel', featureAxis: 1, indices: [3] });
 */
export function validateTarget(model: ModelNode, target: Target | string): ModelNode {
  const normalized = normalizeTarget(target);
  const node = resolveModule(model, normalized.path);
  if (normalized.parameter !== undefined) {
    const value = findParameter(node, normalized.parameter, normalized.path).read();
    checkUnits(value, normalized, describeTarget(normalized));
  }
  return node;
}
