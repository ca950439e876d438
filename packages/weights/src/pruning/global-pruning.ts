import type { ImportanceCallback } from './importance.js';
import { parameterScores } from './parameter-scores.js';
import type { ParameterEdits } from './parameter-edits.js';
import { pruneCount, smallestMask } from './prune-count.js';
import { parametersUnder, type ParameterEntry } from './pruned-parameters.js';
import { id } from './pruning-options.js';
import type { PruningScope } from './pruning-scope.js';

/**
 * Global unstructured pruning (the original's `global_unstructured` with L1 on the importance scores): every
 * parameter in scope that the callback scores competes in one ranking, and the `amount` of entries with the
 * smallest |score| are zeroed (ties: model order, then position). Every score is computed before the first
 * write, so a failing callback changes nothing.
 *
 * @example
 * pruneGlobally(scope, 0.2, magnitudeImportance, edits);
 */
export function pruneGlobally(
  scope: PruningScope,
  amount: number,
  importance: ImportanceCallback | undefined,
  edits: ParameterEdits,
): void {
  const scored: { readonly entry: ParameterEntry; readonly scores: Float32Array }[] = [];
  for (const entry of parametersUnder(scope.base, scope.basePath)) {
    if (scope.skipped(entry.path, entry.node)) continue;
    const scores = parameterScores(entry, importance);
    if (scores !== null) scored.push({ entry, scores });
  }
  const size = scored.reduce((total, { scores }) => total + scores.length, 0);
  const count = pruneCount(amount, size, `${id} amount`);
  if (count === 0) return;
  const all = new Float32Array(size);
  let offset = 0;
  for (const { scores } of scored) {
    all.set(scores, offset);
    offset += scores.length;
  }
  const mask = smallestMask(all, count);
  offset = 0;
  for (const { entry, scores } of scored) {
    edits.zero(entry.variable, mask.subarray(offset, offset + scores.length));
    offset += scores.length;
  }
}
