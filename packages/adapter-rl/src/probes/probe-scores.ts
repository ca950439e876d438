import * as tf from '@tensorflow/tfjs-core';
import { accuracy, crossValidate, r2Score, type Estimator } from '@tdhook/probing';

import type { ProbeKind } from './probe-target.js';
import { shuffledRows } from './shuffled-labels.js';

/** A target's name, kind and values `[rows]` (borrowed). */
export interface NamedTarget {
  readonly name: string;
  readonly kind: ProbeKind;
  readonly values: tf.Tensor1D;
}

/** A probe's cross-validated score and its shuffled-label control. */
export interface ScorePair {
  readonly score: number;
  readonly control: number;
}

/** How every layer is probed: the probe factories and the cross-validation's folds and seed. */
export interface ProbeSetup {
  readonly classifier: () => Estimator;
  readonly regressor: () => Estimator;
  readonly folds: number;
  readonly seed: number;
}

/** R² of one output column of a multi-output regression. */
function columnR2(column: number): (predicted: tf.Tensor, truth: tf.Tensor) => number {
  return (predicted, truth) => {
    const pair = tf.tidy(() =>
      [predicted, truth].map((values) => tf.squeeze(tf.slice(values, [0, column], [-1, 1]), [1])),
    );
    try {
      return r2Score(pair[0] ?? predicted, pair[1] ?? truth);
    } finally {
      tf.dispose(pair);
    }
  };
}

/**
 * The targets' labels and their shuffled controls, made once and probed from every layer. Classification
 * targets are probed one by one; the regression targets together, as one `[rows, k]` fit: ridge (and least
 * squares) solve each output column on its own, so this equals k separate fits at a k-th of the cost. Every
 * control is permuted by `seededRandom(seed + 1)`, the fold shuffle by `seed`. Owns its tensors: dispose it.
 */
export class TargetScorer {
  readonly #setup: ProbeSetup;
  readonly #classifications: { readonly target: NamedTarget; readonly control: tf.Tensor }[] = [];
  readonly #regressions: readonly NamedTarget[];
  readonly #stacked: { readonly values: tf.Tensor; readonly control: tf.Tensor } | undefined;

  constructor(targets: readonly NamedTarget[], setup: ProbeSetup) {
    this.#setup = setup;
    this.#regressions = targets.filter(({ kind }) => kind === 'regression');
    try {
      for (const target of targets) {
        if (target.kind === 'classification') {
          this.#classifications.push({ target, control: shuffledRows(target.values, setup.seed + 1) });
        }
      }
      if (this.#regressions.length > 0) {
        const values = tf.stack(
          this.#regressions.map((target) => target.values),
          1,
        );
        this.#stacked = { values, control: shuffledRows(values, setup.seed + 1) };
      }
    } catch (error) {
      this.dispose();
      throw error;
    }
  }

  /** Every target's score and control from the layer's features `x` `[rows, features]` (borrowed). */
  scores(x: tf.Tensor): Map<string, ScorePair> {
    const { classifier, regressor, folds, seed } = this.#setup;
    const cv = { folds, shuffle: true, seed };
    const result = new Map<string, ScorePair>();
    for (const { target, control } of this.#classifications) {
      const metrics = { accuracy };
      const score = crossValidate(classifier, x, target.values, { ...cv, metrics }).mean['accuracy'];
      const shuffled = crossValidate(classifier, x, control, { ...cv, metrics }).mean['accuracy'];
      result.set(target.name, { score: score ?? Number.NaN, control: shuffled ?? Number.NaN });
    }
    if (this.#stacked !== undefined) {
      const metrics = Object.fromEntries(
        this.#regressions.map(({ name }, column) => [name, columnR2(column)]),
      );
      const score = crossValidate(regressor, x, this.#stacked.values, { ...cv, metrics }).mean;
      const shuffled = crossValidate(regressor, x, this.#stacked.control, { ...cv, metrics }).mean;
      for (const { name } of this.#regressions) {
        result.set(name, { score: score[name] ?? Number.NaN, control: shuffled[name] ?? Number.NaN });
      }
    }
    return result;
  }

  dispose(): void {
    tf.dispose(this.#classifications.map(({ control }) => control));
    if (this.#stacked !== undefined) tf.dispose([this.#stacked.values, this.#stacked.control]);
  }
}
