import { readParameters, type ModelNode } from '@tdhook/core';

import type { ImportanceCallback } from './importance.js';
import { parameterScores } from './parameter-scores.js';
import type { ParameterEdits, ZeroEdit } from './parameter-edits.js';
import { pruneCount, smallestMask } from './prune-count.js';
import { parametersUnder, type ParameterEntry } from './pruned-parameters.js';
import { id } from './pruning-options.js';
import type { PruningScope } from './pruning-scope.js';

/**
 * Global unstructured pruning (the original's `global_unstructured` with L1 on the importance scores): every
 * parameter in scope that the callback scores competes in one ranking, and the `amount` of entries with the
 * smallest |score| are zeroed (ties: model order, then position), in one checked write. Every score is
 * computed before it, so a failing callback changes nothing.
 *
 * @example
 * pruneGlobally(model, scope, 0.2, magnitudeImportance, edits);
 */
export function pruneGlobally(
  model: ModelNode,
  scope: PruningScope,
  amount: number,
  importance: ImportanceCallback | undefined,
  edits: ParameterEdits,
): void {
  const entries = parametersUnder(model, scope.basePath).filter(
    (entry) => !scope.skipped(entry.node),
  );
  using values = readParameters(model, scope.basePath === '' ? {} : { paths: [scope.basePath] });
  const scored: { readonly entry: ParameterEntry; readonly scores: Float32Array }[] = [];
  for (const entry of entries) {
    const scores = parameterScores(entry, values.getTensor(entry.info.key), importance);
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
  const zeroed: ZeroEdit[] = scored.map(({ entry, scores }) => {
    const edit = {
      key: entry.info.key,
      value: values.getTensor(entry.info.key),
      mask: mask.subarray(offset, offset + scores.length),
    };
    offset += scores.length;
    return edit;
  });
  edits.zero(zeroed);
}
