import * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError, ShapeMismatchError } from '@tdhook/core';

import type { Estimator } from '../estimators/estimator.js';
import { foldFromTest, kFoldSplits, type FoldSplit } from './k-fold-splits.js';

/**
 * A metric of one fold: the fold's predictions, its true targets, and the fitted estimator and test rows for
 * metrics that need more than predictions (e.g. `rocAuc` on `decisionFunction`). Tensors are borrowed.
 *
 * @example
 * const auc: CrossValidationMetric = (_predicted, truth, { estimator, x }) => {
 *   const scores = (estimator as Classifier).decisionFunction(x);
 *   try { return rocAuc(scores, truth); } finally { scores.dispose(); }
 * };
 */
export type CrossValidationMetric = (
  predicted: tf.Tensor,
  truth: tf.Tensor,
  fold: { readonly estimator: Estimator; readonly x: tf.Tensor; readonly index: number },
) => number;

/**
 * Options of {@link crossValidate}.
 *
 * @example
 * const options: CrossValidateOptions = { folds: 5, shuffle: true, seed: 0, metrics: { accuracy } };
 */
export interface CrossValidateOptions {
  /**
   * The number of k-fold folds (see {@link kFoldSplits}), or explicit test folds: disjoint lists of row
   * indices, each fold trained on every other row. Default `5`.
   */
  readonly folds?: number | readonly (readonly number[])[];
  /** Shuffle before the k-fold cut (number `folds` only). Default `false`. */
  readonly shuffle?: boolean;
  /** The shuffle's seed. Default `0`. */
  readonly seed?: number;
  /** The metrics, by name, e.g. `{ accuracy }` or `{ r2: r2Score }`: any `(predicted, truth) => number`. */
  readonly metrics: Readonly<Record<string, CrossValidationMetric>>;
}

/**
 * One fold's rows and metrics.
 *
 * @example
 * const fold: FoldResult = { fold: 0, train: [1, 2], test: [0], metrics: { accuracy: 1 } };
 */
export interface FoldResult extends FoldSplit {
  readonly fold: number;
  readonly metrics: Readonly<Record<string, number>>;
}

/**
 * Per-fold metrics and their means over the folds.
 *
 * @example
 * const result: CrossValidationResult = crossValidate(() => ridgeRegression(), x, y, { metrics: { r2: r2Score } });
 * result.mean.r2;
 */
export interface CrossValidationResult {
  readonly folds: readonly FoldResult[];
  readonly mean: Readonly<Record<string, number>>;
}

function explicitFolds(n: number, folds: readonly (readonly number[])[]): FoldSplit[] {
  const seen = new Uint8Array(n);
  folds.forEach((fold, f) => {
    if (fold.length === 0) {
      throw new InvalidValueError({ what: `Test fold ${f} is empty`, where: 'crossValidate options.folds' });
    }
    for (const index of fold) {
      if (!Number.isInteger(index) || index < 0 || index >= n) {
        throw new InvalidValueError({
          what: `Test fold ${f} holds ${String(index)}, not a row index of the ${n} rows`,
          where: 'crossValidate options.folds',
        });
      }
      if (seen[index] === 1) {
        throw new InvalidValueError({
          what: `Row ${index} is in more than one test fold`,
          where: 'crossValidate options.folds',
          fix: 'Explicit test folds must be disjoint.',
        });
      }
      seen[index] = 1;
    }
  });
  return folds.map((fold) => foldFromTest(n, fold));
}

/**
 * Cross-validates: for each fold, a fresh estimator from `estimatorFactory` is fitted on the training rows
 * of `x` `[n, d]` and `y` `[n]` / `[n, k]` (borrowed), predicts the test rows, and every metric scores the
 * predictions. Each fold's estimator is disposed after it; no tensor outlives the call.
 *
 * @example
 * const result = crossValidate(() => logisticRegression(), x, labels, {
 *   folds: 5, shuffle: true, seed: 0, metrics: { accuracy, balancedAccuracy },
 * });
 * result.mean.accuracy; // the mean over the 5 folds
 */
export function crossValidate(
  estimatorFactory: () => Estimator,
  x: tf.Tensor,
  y: tf.Tensor,
  options: CrossValidateOptions,
): CrossValidationResult {
  const n = x.shape[0];
  if (y.shape[0] !== n) {
    throw new ShapeMismatchError({
      what: `x has ${n} samples but y has ${y.shape[0]}`,
      where: 'crossValidate(x, y)',
    });
  }
  const names = Object.keys(options.metrics);
  if (names.length === 0) {
    throw new InvalidValueError({
      what: 'No metrics to compute',
      where: 'crossValidate options.metrics',
      fix: 'Pass e.g. { metrics: { accuracy } }.',
    });
  }
  const folds = options.folds ?? 5;
  const splits =
    typeof folds === 'number'
      ? kFoldSplits(n, { folds, shuffle: options.shuffle ?? false, seed: options.seed ?? 0 })
      : explicitFolds(n, folds);
  const results: FoldResult[] = splits.map((split, index) => {
    const estimator = estimatorFactory();
    const trainIndex = tf.tensor1d(Int32Array.from(split.train), 'int32');
    const testIndex = tf.tensor1d(Int32Array.from(split.test), 'int32');
    const [xTrain, yTrain, xTest, yTest] = [
      tf.gather(x, trainIndex),
      tf.gather(y, trainIndex),
      tf.gather(x, testIndex),
      tf.gather(y, testIndex),
    ];
    let predicted: tf.Tensor | undefined;
    try {
      estimator.fit(xTrain, yTrain);
      predicted = estimator.predict(xTest);
      const metrics: Record<string, number> = {};
      for (const [name, metric] of Object.entries(options.metrics)) {
        metrics[name] = metric(predicted, yTest, { estimator, x: xTest, index });
      }
      return { fold: index, train: split.train, test: split.test, metrics };
    } finally {
      tf.dispose([trainIndex, testIndex, xTrain, yTrain, xTest, yTest]);
      predicted?.dispose();
      estimator.dispose();
    }
  });
  const mean: Record<string, number> = {};
  for (const name of names) {
    mean[name] = results.reduce((sum, fold) => sum + (fold.metrics[name] ?? Number.NaN), 0) / results.length;
  }
  return { folds: results, mean };
}
