import { InvalidValueError, type Key, type ModelKeys } from '@tdhook/core';
import { checkOptionNames } from '@tdhook/core/plugin';
import type { Estimator } from '@tdhook/probing';

import type { ProbeTarget } from './probe-target.js';

/**
 * Options of {@link probePolicy}.
 *
 * @example
 * const options: ProbePolicyOptions = {
 *   targets: { action: { key: 'action' }, pole_angle: { key: 'observation', column: 2 } },
 *   layers: /^actor\./,
 *   folds: 5,
 *   seed: 0,
 * };
 */
export interface ProbePolicyOptions {
  /** What to probe for, by name (the table's column names). */
  readonly targets: Readonly<Record<string, ProbeTarget>>;
  /**
   * The layers whose outputs are probed: module paths, or a RegExp over them (matched at the start, as
   * `@tdhook/probing`'s selections). Default: every module without children (every Linear and activation
   * of an actor-critic: `actor.0` … `actor.4`, `critic.0` … `critic.4`).
   */
  readonly layers?: RegExp | readonly string[];
  /**
   * A data key probed as the first "layer", the baseline: what a probe reads from the input alone. Default
   * `'observation'`; `null` for none.
   */
  readonly baseline?: Key | null;
  /** Cross-validation folds (k-fold over shuffled rows). Default `5`. */
  readonly folds?: number;
  /** Seeds the fold assignment (`seed`) and the control's label permutation (`seed + 1`). Default `0`. */
  readonly seed?: number;
  /** The model's keys, for a plain model; a KeyedModule (an ActorCritic) uses its own. */
  readonly keys?: ModelKeys;
  /** The classification probe. Default `logisticRegression()` (C = 1), on standardized features. */
  readonly classifier?: () => Estimator;
  /**
   * The regression probe. Default `ridgeRegression()` (α = 1), on standardized features. It is fitted once
   * on all regression targets together (`[rows, k]`): give one that solves each output column on its own, as
   * ridge and least squares do.
   */
  readonly regressor?: () => Estimator;
  /** Z-score every feature with its training fold's mean and deviation before the probe. Default `true`. */
  readonly standardize?: boolean;
}

/**
 * One probe: how well `target` is read from `layer`'s output, and from the same output with the labels
 * shuffled (the control: what the probe gets from nothing, ~chance accuracy or ~0 R²). Scores are means over
 * the cross-validation folds' held-out rows.
 *
 * @example
 * const row: ProbeRow = { layer: 'actor.3', target: 'action', metric: 'accuracy', score: 0.98, control: 0.51, features: 64 };
 */
export interface ProbeRow {
  /** The module path, or the baseline's key (`'observation'`). */
  readonly layer: string;
  /** The target's name in `options.targets`. */
  readonly target: string;
  /** `'accuracy'` for a classification, `'r2'` for a regression. */
  readonly metric: 'accuracy' | 'r2';
  /** The cross-validated score of the probe. */
  readonly score: number;
  /** The same probe's score on shuffled labels. */
  readonly control: number;
  /** The layer's width: the probe's input features. */
  readonly features: number;
}

export const where = 'probePolicy';
const optionNames = [
  'targets',
  'layers',
  'baseline',
  'folds',
  'seed',
  'keys',
  'classifier',
  'regressor',
  'standardize',
];

/** Checks the options that need no data: names, targets, folds, seed. */
export function checkOptions(options: ProbePolicyOptions): void {
  checkOptionNames(options, optionNames, {}, where);
  const targets = options.targets as unknown;
  if (typeof targets !== 'object' || targets === null || Object.keys(targets).length === 0) {
    throw new InvalidValueError({
      what: 'No targets to probe for',
      where: `${where} options.targets`,
      fix: "Pass e.g. { targets: { action: { key: 'action' }, value: { key: 'value' } } }.",
    });
  }
  const folds = options.folds ?? 5;
  if (!Number.isInteger(folds) || folds < 2) {
    throw new InvalidValueError({
      what: `folds must be an integer ≥ 2, got ${String(folds)}`,
      where: `${where} options.folds`,
      fix: 'Use e.g. folds: 5.',
    });
  }
  if (!Number.isInteger(options.seed ?? 0)) {
    throw new InvalidValueError({
      what: `seed must be an integer, got ${String(options.seed)}`,
      where: `${where} options.seed`,
    });
  }
}
