// Accuracy, balanced accuracy and F1, as scikit-learn 1.2.1 defines them. Arguments are (predicted, truth),
// the order of tdhook's computeMetrics(preds, labels); scikit-learn's functions take (y_true, y_pred).
import { InvalidValueError } from '@tdhook/core';

import { metricPair, type MetricInput } from './metric-values.js';

/**
 * The fraction of labels predicted exactly (`accuracy_score`).
 *
 * @example
 * accuracy([1, 0, 1, 1], [1, 0, 0, 1]); // 0.75
 */
export function accuracy(predicted: MetricInput, truth: MetricInput): number {
  const { predicted: p, truth: t } = metricPair(predicted, truth, 'accuracy', true);
  let hits = 0;
  for (let i = 0; i < p.values.length; i++) if (p.values[i] === t.values[i]) hits++;
  return hits / p.values.length;
}

/**
 * The mean recall over the classes present in `truth` (`balanced_accuracy_score`, not adjusted): robust to
 * imbalanced classes, 1/classes for a constant guess.
 *
 * @example
 * balancedAccuracy([0, 0, 0, 0], [0, 0, 0, 1]); // 0.5 (accuracy would say 0.75)
 */
export function balancedAccuracy(predicted: MetricInput, truth: MetricInput): number {
  const { predicted: p, truth: t } = metricPair(predicted, truth, 'balancedAccuracy', true);
  const support = new Map<number, number>();
  const hits = new Map<number, number>();
  for (let i = 0; i < t.values.length; i++) {
    const label = t.values[i] ?? 0;
    support.set(label, (support.get(label) ?? 0) + 1);
    if (p.values[i] === label) hits.set(label, (hits.get(label) ?? 0) + 1);
  }
  let sum = 0;
  for (const [label, count] of support) sum += (hits.get(label) ?? 0) / count;
  return sum / support.size;
}

/**
 * Options of {@link f1Score}.
 *
 * @example
 * const options: F1Options = { average: 'macro' };
 */
export interface F1Options {
  /** `'binary'`: F1 of `positiveLabel`; `'macro'`: the unweighted mean of every label's F1. Default `'binary'`. */
  readonly average?: 'binary' | 'macro';
  /** The positive class for `'binary'`. Default `1`. */
  readonly positiveLabel?: number;
}

// F1 of one label: 2tp / (2tp + fp + fn), 0 when tp = 0 (scikit-learn's zero_division="warn" gives 0).
function labelF1(p: Float64Array, t: Float64Array, label: number): number {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (let i = 0; i < p.length; i++) {
    const predictedIt = p[i] === label;
    const isIt = t[i] === label;
    if (predictedIt && isIt) tp++;
    else if (predictedIt) fp++;
    else if (isIt) fn++;
  }
  return tp === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn);
}

/**
 * The F1 score (`f1_score`): of the positive label (`average: 'binary'`, the default), or the mean over all
 * labels of predicted and truth (`'macro'`). A label never predicted correctly scores 0.
 *
 * @example
 * f1Score([1, 1, 0, 0], [1, 0, 0, 1]); // 0.5
 * f1Score([0, 1, 2, 2], [0, 1, 1, 2], { average: 'macro' }); // (1 + 2/3 + 2/3) / 3
 */
export function f1Score(predicted: MetricInput, truth: MetricInput, options: F1Options = {}): number {
  const { predicted: p, truth: t } = metricPair(predicted, truth, 'f1Score', true);
  const average = options.average ?? 'binary';
  const labels = [...new Set([...p.values, ...t.values])].sort((a, b) => a - b);
  switch (average) {
    case 'macro':
      return labels.reduce((sum, label) => sum + labelF1(p.values, t.values, label), 0) / labels.length;
    case 'binary':
      return binaryF1(p.values, t.values, labels, options.positiveLabel ?? 1);
    default:
      throw new InvalidValueError({
        what: `Unknown average '${String(average)}'`,
        where: 'f1Score options.average',
        fix: "Use 'binary' or 'macro'.",
      });
  }
}

function binaryF1(p: Float64Array, t: Float64Array, labels: readonly number[], positive: number): number {
  if (labels.length > 2) {
    throw new InvalidValueError({
      what: `Target is multiclass (labels ${labels.join(', ')}) but average='binary'`,
      where: 'f1Score',
      fix: "Use { average: 'macro' } for more than two classes.",
    });
  }
  if (labels.length === 2 && !labels.includes(positive)) {
    throw new InvalidValueError({
      what: `pos_label=${positive} is not a valid label. It should be one of ${labels.join(', ')}`,
      where: 'f1Score options.positiveLabel',
    });
  }
  return labelF1(p, t, positive);
}
