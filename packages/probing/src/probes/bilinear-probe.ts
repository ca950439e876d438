import * as tf from '@tensorflow/tfjs-core';

import type { PairEstimator } from '../estimators/estimator.js';
import { flattenRows, withPredictions, type Preprocess, type ProbeOptions } from './probe.js';
import { checkStepType, requireLabels, type ProbeStep, type StepType } from './probe-step.js';

/**
 * What a {@link BilinearProbe}'s `step` gets: a {@link ProbeStep} plus the name of the module the activation
 * comes from.
 *
 * @example
 * probe.step(activation, { key: 'fc1', labels, stepType: 'fit' });
 */
export interface BilinearProbeStep extends ProbeStep {
  readonly key: string;
}

/**
 * A probe on a pair of modules `h1`, `h2` (SPEC §2.4): it keeps the activation of the first of them to
 * arrive until the other one arrives in the same run, then fits `estimator.fit(h1, h2, labels)` or predicts
 * `estimator.predict(h1, h2)` once. With `h1 === h2` it runs at once. Activations of other modules are
 * ignored. The labels and step type are those of the step that completes the pair.
 *
 * @example
 * const probe = new BilinearProbe('fc1', 'fc2', bilinearEstimator({ classes: 2 }), { predictCallback });
 * probe.step(fc1Activation, { key: 'fc1', labels, stepType: 'fit' }); // kept, waiting for fc2
 * probe.step(fc2Activation, { key: 'fc2', labels, stepType: 'fit' }); // fits on the pair
 */
export class BilinearProbe {
  readonly h1: string;
  readonly h2: string;
  readonly estimator: PairEstimator;
  readonly #predictCallback: ProbeOptions['predictCallback'];
  readonly #fitCallback: ProbeOptions['fitCallback'];
  readonly #preprocess: Preprocess;
  #cachedH1: tf.Tensor | undefined;
  #cachedH2: tf.Tensor | undefined;

  constructor(h1: string, h2: string, estimator: PairEstimator, options: ProbeOptions) {
    this.h1 = h1;
    this.h2 = h2;
    this.estimator = estimator;
    this.#predictCallback = options.predictCallback;
    this.#fitCallback = options.fitCallback;
    this.#preprocess = options.preprocess ?? flattenRows;
  }

  /**
   * Takes one activation. An invalid step type raises before anything is kept.
   *
   * @example
   * probe.step(activation, { key: 'fc2', labels, stepType: 'predict' });
   */
  step(data: tf.Tensor, step: BilinearProbeStep): unknown {
    const where = `BilinearProbe(${this.h1}, ${this.h2}).step`;
    const stepType = checkStepType(step.stepType, where);
    const { key } = step;
    if (key !== this.h1 && key !== this.h2) return undefined;
    if (stepType === 'fit') requireLabels(step.labels, where);
    // Kept: the probe runs inside the model call's tidy, and a pair spans two hooks.
    const rows = tf.keep(this.#rows(data));
    if (this.h1 === this.h2) {
      try {
        return this.#run(rows, rows, step.labels, stepType);
      } finally {
        rows.dispose();
      }
    }
    if (key === this.h1) {
      this.#cachedH1?.dispose();
      this.#cachedH1 = rows;
    } else {
      this.#cachedH2?.dispose();
      this.#cachedH2 = rows;
    }
    const h1 = this.#cachedH1;
    const h2 = this.#cachedH2;
    if (h1 === undefined || h2 === undefined) return undefined;
    this.#cachedH1 = undefined;
    this.#cachedH2 = undefined;
    try {
      return this.#run(h1, h2, step.labels, stepType);
    } finally {
      h1.dispose();
      h2.dispose();
    }
  }

  /** True while one activation of the pair arrived and the other has not. */
  get isWaiting(): boolean {
    return this.h1 !== this.h2 && (this.#cachedH1 === undefined) !== (this.#cachedH2 === undefined);
  }

  /**
   * Starts a run: forgets any kept activation.
   *
   * @example
   * probe.beforeAll();
   */
  beforeAll(): void {
    this.#clear();
  }

  /**
   * Ends a run: forgets any kept activation and returns the pair if it was still waiting (`[]` otherwise).
   *
   * @example
   * probe.afterAll(); // [['fc1', 'fc2']] if fc2 never came
   */
  afterAll(): [string, string][] {
    const waiting = this.isWaiting;
    this.#clear();
    return waiting ? [[this.h1, this.h2]] : [];
  }

  /** Disposes kept activations (not the estimator, which the caller owns). */
  dispose(): void {
    this.#clear();
  }

  #clear(): void {
    this.#cachedH1?.dispose();
    this.#cachedH2?.dispose();
    this.#cachedH1 = undefined;
    this.#cachedH2 = undefined;
  }

  #rows(data: tf.Tensor): tf.Tensor {
    const rows = tf.tidy(() => this.#preprocess(data));
    return rows === data ? tf.clone(data) : rows;
  }

  #run(h1: tf.Tensor, h2: tf.Tensor, labels: tf.Tensor | undefined, stepType: StepType): unknown {
    if (stepType === 'fit') {
      this.estimator.fit(h1, h2, labels as tf.Tensor);
      const callback = this.#fitCallback;
      return callback === undefined
        ? undefined
        : withPredictions(this.estimator.predict(h1, h2), labels, callback);
    }
    return withPredictions(this.estimator.predict(h1, h2), labels, this.#predictCallback);
  }
}
