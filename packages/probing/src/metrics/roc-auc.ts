import { InvalidValueError } from '@tdhook/core';

import { metricPair, type MetricInput } from './metric-values.js';

/**
 * The area under the ROC curve of binary `scores` (probabilities or decision values of the positive class)
 * against `truth` with two classes, the larger label positive (`roc_auc_score`). Equal scores count one
 * half, as scikit-learn's trapezoids between distinct thresholds do: AUC is the Mann–Whitney U from
 * mid-ranks, divided by positives × negatives.
 *
 * @example
 * rocAuc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]); // 0.75
 */
export function rocAuc(scores: MetricInput, truth: MetricInput): number {
  const { predicted: s, truth: t } = metricPair(scores, truth, 'rocAuc', true);
  const labels = [...new Set(t.values)].sort((a, b) => a - b);
  if (labels.length !== 2) {
    throw new InvalidValueError({
      what:
        labels.length < 2
          ? 'Only one class present in y_true. ROC AUC score is not defined in that case'
          : `rocAuc is binary, but truth has ${labels.length} classes`,
      where: 'rocAuc(scores, truth)',
      fix: 'Pass labels of exactly two classes (the larger one is positive).',
    });
  }
  for (const value of s.values) {
    if (!Number.isFinite(value)) {
      throw new InvalidValueError({ what: 'Input contains NaN or infinity', where: 'rocAuc(scores)' });
    }
  }
  const positive = labels[1] ?? 0;
  const n = s.values.length;
  const order = Array.from({ length: n }, (_, i) => i).sort(
    (a, b) => (s.values[a] ?? 0) - (s.values[b] ?? 0),
  );
  // Mid-ranks (1-based) of tied runs; sum them over the positives.
  let positiveRankSum = 0;
  let positives = 0;
  for (let start = 0; start < n;) {
    let end = start;
    while (end + 1 < n && s.values[order[end + 1] ?? 0] === s.values[order[start] ?? 0]) end++;
    const midRank = (start + end) / 2 + 1;
    for (let i = start; i <= end; i++) {
      if (t.values[order[i] ?? 0] === positive) {
        positiveRankSum += midRank;
        positives++;
      }
    }
    start = end + 1;
  }
  const negatives = n - positives;
  return (positiveRankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}
