import * as tf from '@tensorflow/tfjs-core';

import type { Estimator } from '../estimators/estimator.js';
import { checkStepType, requireLabels, type ProbeLike, type ProbeStep } from './probe-step.js';

/**
 * Called with a probe's predictions (borrowed: disposed after the call) and the batch's labels; what it
 * returns, `step` returns.
 *
 * @example
 * const log: ProbeCallback = (predictions, labels) => console.log(predictions.shape, labels?.shape);
 */
export type ProbeCallback = (predictions: tf.Tensor, labels: tf.Tensor | undefined) => unknown;

/**
 * Turns an activation into the rows an estimator reads. The default flattens everything after the first
 * axis (`[n, …] → [n, d]`). Return a new tensor or the given one; the probe disposes a new one after use.
 *
 * @example
 * const lastToken: Preprocess = (x) => tf.squeeze(tf.slice(x, [0, x.shape[1]! - 1, 0], [-1, 1, -1]), [1]);
 */
export type Preprocess = (activation: tf.Tensor) => tf.Tensor;

/**
 * Options of {@link Probe}.
 *
 * @example
 * const options: ProbeOptions = { predictCallback: (predictions) => predictions.print() };
 */
export interface ProbeOptions {
  /** Called after a predict step with the estimator's predictions and the labels. */
  readonly predictCallback: ProbeCallback;
  /** Called after a fit step with the fitted estimator's predictions on the same rows. Default: none. */
  readonly fitCallback?: ProbeCallback;
  /** Default: flatten to 2-D, `[n, …] → [n, d]`. */
  readonly preprocess?: Preprocess;
}

/**
 * Flattens an activation to rows: `[n, …] → [n, d]` (a new tensor).
 *
 * @example
 * flattenRows(tf.zeros([4, 2, 3])).shape; // [4, 6]
 */
export function flattenRows(activation: tf.Tensor): tf.Tensor {
  return tf.reshape(activation, [activation.rank === 0 ? 1 : activation.shape[0], -1]);
}

/**
 * Runs `use` on `preprocess(activation)` and disposes what preprocess made (not the activation itself).
 *
 * @example
 * const rows = withRows(activation, flattenRows, (x) => x.shape[1]);
 */
export function withRows<T>(activation: tf.Tensor, preprocess: Preprocess, use: (rows: tf.Tensor) => T): T {
  // Tidy: intermediates of a user's preprocess go, its result (or the activation itself) stays.
  const rows = tf.tidy(() => preprocess(activation));
  try {
    return use(rows);
  } finally {
    if (rows !== activation) rows.dispose();
  }
}

/** Calls `callback` on `predict(rows)` and disposes the predictions after it. */
export function withPredictions(
  predictions: tf.Tensor,
  labels: tf.Tensor | undefined,
  callback: ProbeCallback,
): unknown {
  try {
    return callback(predictions, labels);
  } finally {
    predictions.dispose();
  }
}

/**
 * A probe (SPEC §2.4): an estimator fitted and evaluated on one module's activations, one batch per step.
 * A fit step calls `estimator.fit(rows, labels)` and then `fitCallback(estimator.predict(rows), labels)`;
 * a predict step calls `predictCallback(estimator.predict(rows), labels)`. `step` returns what the callback
 * returned. The probe borrows the estimator (dispose it yourself) and disposes every tensor it makes.
 *
 * @example
 * const probe = new Probe(meanDifferenceClassifier(), {
 *   predictCallback: (predictions, labels) => accuracy(predictions, labels!),
 * });
 * probe.step(activations, { labels, stepType: 'fit' });
 * probe.step(testActivations, { labels: testLabels, stepType: 'predict' }); // the accuracy
 */
export class Probe implements ProbeLike {
  readonly estimator: Estimator;
  readonly #predictCallback: ProbeCallback;
  readonly #fitCallback: ProbeCallback | undefined;
  readonly #preprocess: Preprocess;

  constructor(estimator: Estimator, options: ProbeOptions) {
    this.estimator = estimator;
    this.#predictCallback = options.predictCallback;
    this.#fitCallback = options.fitCallback;
    this.#preprocess = options.preprocess ?? flattenRows;
  }

  /**
   * Fits or evaluates on one batch. An invalid step type raises before anything runs.
   *
   * @example
   * probe.step(activation, { labels, stepType: 'predict' });
   */
  step(data: tf.Tensor, step: ProbeStep): unknown {
    const where = 'Probe.step';
    const stepType = checkStepType(step.stepType, where);
    const labels = stepType === 'fit' ? requireLabels(step.labels, where) : step.labels;
    return withRows(data, this.#preprocess, (rows) => {
      if (stepType === 'fit') {
        this.estimator.fit(rows, labels as tf.Tensor);
        const callback = this.#fitCallback;
        return callback === undefined
          ? undefined
          : withPredictions(this.estimator.predict(rows), labels, callback);
      }
      return withPredictions(this.estimator.predict(rows), labels, this.#predictCallback);
    });
  }
}
