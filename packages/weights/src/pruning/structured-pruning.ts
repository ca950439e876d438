import { InvalidValueError, readParameters, resolveModule, type ModelNode } from '@tdhook/core';
import { describeNode } from '@tdhook/core/plugin';

import type { ImportanceCallback } from './importance.js';
import { parameterScores } from './parameter-scores.js';
import type { ParameterEdits, ZeroEdit } from './parameter-edits.js';
import { parametersUnder, type ParameterEntry } from './pruned-parameters.js';
import { id, type ConfiguredStructuredPruning } from './pruning-options.js';
import type { PruningScope } from './pruning-scope.js';
import { prunedUnits, unitLayout, unitOf, type UnitLayout } from './structured-mask.js';

/**
 * One module of a structured pruning, resolved: its weight, the unit layout along the axis, and the bias
 * that follows the weight's units (when the axis is the weight's last, output axis and the bias has one
 * entry per unit).
 *
 * @example
 * const [target] = structuredTargets(model, scope, options.modules);
 */
export interface StructuredTarget {
  readonly where: string;
  readonly path: string;
  readonly node: ModelNode;
  readonly weight: ParameterEntry;
  readonly bias: ParameterEntry | undefined;
  readonly layout: UnitLayout;
  readonly entry: ConfiguredStructuredPruning;
}

function weightOf(
  own: readonly ParameterEntry[],
  entry: ConfiguredStructuredPruning,
  where: string,
  description: string,
): ParameterEntry {
  const names = entry.parameter === undefined ? ['kernel', 'weight'] : [entry.parameter];
  const found = names
    .map((name) => own.find((candidate) => candidate.info.name === name))
    .find((candidate) => candidate !== undefined);
  if (found === undefined) {
    const listed =
      own.length === 0
        ? 'it has no float parameters of its own'
        : `its parameters: ${own.map((candidate) => candidate.info.name).join(', ')}`;
    throw new InvalidValueError({
      what: `Module ${description} has no parameter ${names.map((name) => `'${name}'`).join(' or ')} to prune`,
      where,
      fix: `Name one with parameter (${listed}), or list the layer that owns the weight.`,
    });
  }
  return found;
}

/**
 * Resolves every listed module (paths relative to `relativePath`) and checks its weight, axis and group size,
 * so that a bad entry is a typed error before the first module is pruned.
 *
 * @example
 * structuredTargets(model, scope, { fc1: { axis: 1, amount: 0.5, norm: 1, groupSize: 1 } });
 */
export function structuredTargets(
  model: ModelNode,
  scope: PruningScope,
  modules: Readonly<Record<string, ConfiguredStructuredPruning>>,
): StructuredTarget[] {
  const targets: StructuredTarget[] = [];
  for (const [path, entry] of Object.entries(modules)) {
    const where = `${id} modules['${path}']`;
    const node = resolveModule(scope.base, path);
    const fullPath = scope.fullPath(path);
    const own = parametersUnder(model, fullPath).filter((candidate) => candidate.node === node);
    const weight = weightOf(own, entry, where, `'${fullPath}' (${describeNode(node)})`);
    const layout = unitLayout(weight.info.shape, entry.axis, entry.groupSize, where);
    const bias = own.find((candidate) => candidate.info.name === 'bias' && candidate !== weight);
    const follows =
      bias !== undefined &&
      layout.axis === weight.info.shape.length - 1 &&
      bias.info.shape.length === 1 &&
      bias.info.size === layout.units;
    targets.push({ where, path: fullPath, node, weight, bias: follows ? bias : undefined, layout, entry });
  }
  return targets;
}

/**
 * Structured Ln pruning (the original's `ln_structured`), module by module: the units (or groups of
 * `groupSize` units) along `axis` whose importance scores have the smallest Ln norm are zeroed in the weight,
 * and in the bias entries of those units when the bias follows the weight (a callback returning `null` for
 * the bias keeps it); skipped modules are left out. Each module is written before the next is scored; the caller's undo restores them all.
 *
 * @example
 * pruneStructured(model, scope, structuredTargets(model, scope, modules), magnitudeImportance, edits);
 */
export function pruneStructured(
  model: ModelNode,
  scope: PruningScope,
  targets: readonly StructuredTarget[],
  importance: ImportanceCallback | undefined,
  edits: ParameterEdits,
): void {
  for (const { where, path, node, weight, bias, layout, entry } of targets) {
    if (scope.skipped(node)) continue;
    using values = readParameters(model, { paths: [path] });
    const value = values.getTensor(weight.info.key);
    const scores = parameterScores(weight, value, importance);
    if (scores === null) continue;
    const units = prunedUnits(scores, layout, entry, where);
    const weightMask = new Uint8Array(scores.length);
    for (let index = 0; index < weightMask.length; index += 1) {
      weightMask[index] = units[unitOf(index, layout)] ?? 0;
    }
    const zeroed: ZeroEdit[] = [{ key: weight.info.key, value, mask: weightMask }];
    // The callback decides whether the bias follows (null keeps it).
    if (bias !== undefined) {
      const biasValue = values.getTensor(bias.info.key);
      if (parameterScores(bias, biasValue, importance) !== null) {
        zeroed.push({ key: bias.info.key, value: biasValue, mask: units });
      }
    }
    edits.zero(zeroed);
  }
}
