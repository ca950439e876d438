import type * as tf from '@tensorflow/tfjs-core';

/**
 * What every estimator of `@tdhook/probing` implements, the float64 ones (mean difference, logistic
 * regression, ridge, least squares) and the TF.js-trained ones alike: fit on rows, predict rows. Synchronous,
 * so a probe can call it from inside a hook.
 *
 * Tensors are borrowed: `fit` and `predict` never dispose what they are given and keep no reference to it;
 * `predict` returns a new tensor that the caller owns. `dispose()` frees whatever the estimator holds.
 *
 * @example
 * const estimator: Estimator = meanDifferenceClassifier();
 * estimator.fit(x, labels); // x [n, d], labels [n]
 * const predicted = estimator.predict(x); // [n], caller owns
 */
export interface Estimator {
  /** A short id for descriptions and errors, e.g. `'logistic-regression'`. */
  readonly name: string;
  /** Whether `fit` has run (reading fitted state before raises an `InvalidValueError`). */
  readonly fitted: boolean;
  /** Fits on `x` `[n, d]` and `y`: class labels `[n]` (int32 or bool) or targets `[n]` / `[n, k]` (float32). */
  fit(x: tf.Tensor, y: tf.Tensor): void;
  /** Predictions for `x` `[n, d]`: class labels `[n]` or targets, as a new tensor. */
  predict(x: tf.Tensor): tf.Tensor;
  /** Frees the tensors the estimator holds; a float64 estimator holds none. Idempotent. */
  dispose(): void;
}

/**
 * An {@link Estimator} that classifies: also probabilities and decision values.
 *
 * @example
 * const classifier: Classifier = logisticRegression();
 * classifier.fit(x, labels);
 * const probabilities = classifier.predictProba(x); // [n, classes]
 */
export interface Classifier extends Estimator {
  /** The class labels seen by `fit`, ascending. */
  readonly classes: readonly number[];
  /** Class probabilities `[n, classes]`, rows summing to 1. */
  predictProba(x: tf.Tensor): tf.Tensor;
  /** Decision values: `[n]` for two classes (positive means the larger label), `[n, classes]` otherwise. */
  decisionFunction(x: tf.Tensor): tf.Tensor;
}

/**
 * An estimator of two inputs (bilinear probes): fit and predict on pairs of rows.
 *
 * @example
 * const pair: PairEstimator = bilinearEstimator({ inputs: [20, 20], outputs: 2 });
 * pair.fit(h1, h2, labels);
 */
export interface PairEstimator {
  readonly name: string;
  readonly fitted: boolean;
  fit(x1: tf.Tensor, x2: tf.Tensor, y: tf.Tensor): void;
  predict(x1: tf.Tensor, x2: tf.Tensor): tf.Tensor;
  dispose(): void;
}

/**
 * The fitted parameters of a linear estimator, in float64: scores are `x · coef[k] + intercept[k]`. Reading
 * them before `fit` raises an `InvalidValueError` ("Model not fitted").
 *
 * @example
 * const ridge = ridgeRegression({ alpha: 1 });
 * ridge.fit(x, targets); // x [n, d], targets [n]
 * const [weights] = ridge.coef; // d numbers
 * const [bias] = ridge.intercept;
 */
export interface LinearModel {
  /** `[outputs, features]`: one row per class score (one for a binary classifier) or per regression target. */
  readonly coef: readonly (readonly number[])[];
  /** `[outputs]`. */
  readonly intercept: readonly number[];
}
