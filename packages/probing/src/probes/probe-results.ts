import * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError, TensorDict } from '@tdhook/core';
import { describeStructure, isPlainObject, isTensor } from '@tdhook/core/plugin';

import type { StepType } from './probe-step.js';

/**
 * Metrics of one probe on one batch, by name: numbers or tensors (the manager takes the tensors).
 *
 * @example
 * const computeMetrics: ComputeMetrics = (predictions, labels) => ({ accuracy: accuracy(predictions, labels!) });
 */
export type ComputeMetrics = (
  predictions: tf.Tensor,
  labels: tf.Tensor | undefined,
) => Readonly<Record<string, number | tf.Tensor>>;

/**
 * The results the probe managers keep: a TensorDict (batch shape `[]`) keyed by `[phase, probe, metric]`,
 * one entry per probe and phase unless overwriting is allowed. Internal to the managers.
 *
 * @example
 * const store = new ProbeResults(computeMetrics, false, 'ProbeManager');
 * store.record('fit', 'fc1_forward', predictions, labels);
 */
export class ProbeResults {
  #results = new TensorDict({}, { batchShape: [] });
  readonly #computeMetrics: ComputeMetrics;
  readonly #overwrite: boolean;
  readonly #where: string;

  constructor(computeMetrics: ComputeMetrics, overwrite: boolean, where: string) {
    if (typeof computeMetrics !== 'function') {
      throw new InvalidValueError({
        what: `computeMetrics must be a function (predictions, labels) => metrics, got ${describeStructure(computeMetrics)}`,
        where,
        fix: 'Pass e.g. (predictions, labels) => ({ accuracy: accuracy(predictions, labels) }).',
      });
    }
    this.#computeMetrics = computeMetrics;
    this.#overwrite = overwrite;
    this.#where = where;
  }

  /** Lent: valid until the next reset or dispose. */
  get results(): TensorDict {
    return this.#results;
  }

  /**
   * Computes the metrics of one step and stores them under `[phase, key]`; returns the stored TensorDict
   * (lent). A duplicate without overwriting raises before computing anything.
   */
  record(phase: StepType, key: string, predictions: tf.Tensor, labels: tf.Tensor | undefined): TensorDict {
    if (this.#results.has([phase, key]) && !this.#overwrite) {
      throw new InvalidValueError({
        what: `Result for ${key} already exists in phase '${phase}'`,
        where: this.#where,
        fix: 'Call resetResults() between runs, or construct the manager with { overwriteResults: true }.',
      });
    }
    // Tidy: intermediates of the user's metrics go, the tensors it returns stay (and become the manager's).
    const metrics: unknown = tf.tidy(() => this.#computeMetrics(predictions, labels) as tf.TensorContainer);
    const entry = new TensorDict({}, { batchShape: [] });
    try {
      if (!isPlainObject(metrics)) {
        if (isTensor(metrics)) metrics.dispose();
        throw new InvalidValueError({
          what: `computeMetrics must return a dict (a plain object of numbers or tensors), got ${describeStructure(metrics)}`,
          where: this.#where,
          fix: 'Return e.g. { accuracy: 0.93 }.',
        });
      }
      for (const [name, value] of Object.entries(metrics)) {
        if (isTensor(value)) {
          entry.set(name, tf.keep(value)); // kept: probes run inside the model call's tidy
        } else if (typeof value === 'number') {
          entry.set(name, tf.keep(tf.scalar(value)));
        } else {
          throw new InvalidValueError({
            what: `Metric '${name}' must be a number or a tensor, got ${describeStructure(value)}`,
            where: this.#where,
            fix: 'Return numbers or tensors from computeMetrics.',
          });
        }
      }
    } catch (error) {
      entry.dispose();
      if (isPlainObject(metrics)) {
        for (const value of Object.values(metrics)) if (isTensor(value) && !value.isDisposed) value.dispose();
      }
      throw error;
    }
    this.#results.delete([phase, key]);
    this.#results.set([phase, key], entry);
    return entry;
  }

  /** Disposes every result and starts empty. */
  reset(): void {
    this.#results.dispose();
    this.#results = new TensorDict({}, { batchShape: [] });
  }

  dispose(): void {
    this.#results.dispose();
  }
}
