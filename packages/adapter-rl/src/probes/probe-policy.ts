import * as tf from '@tensorflow/tfjs-core';
import {
  formatKey,
  InvalidValueError,
  KeyedModel,
  MissingKeyError,
  namedModules,
  type Key,
  type ModelKeys,
  type ModelNode,
  type TensorDict,
} from '@tdhook/core';
import { checkOptionNames, childrenOf } from '@tdhook/core/plugin';
import {
  accuracy,
  activationCaching,
  crossValidate,
  logisticRegression,
  r2Score,
  ridgeRegression,
  type Estimator,
} from '@tdhook/probing';

import { activationKey as cacheKey } from './activation-key.js';
import { policyRows } from './policy-rows.js';
import { targetValues, type ProbeTarget } from './probe-target.js';
import { shuffledLabels, shuffledRows } from './shuffled-labels.js';
import { standardized } from './standardized.js';

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
  /** A data key probed as the first "layer", the baseline: what a probe reads from the input alone. Default `'observation'`; `null` for none. */
  readonly baseline?: Key | null;
  /** Cross-validation folds (k-fold over shuffled rows). Default `5`. */
  readonly folds?: number;
  /** Seeds the fold assignment (`seed`) and the control's label permutation (`seed + 1`). Default `0`. */
  readonly seed?: number;
  /** The model's keys, for a plain model; a KeyedModule (an ActorCritic) uses its own. */
  readonly keys?: ModelKeys;
  /** The classification probe. Default `logisticRegression()` (C = 1), on standardized features. */
  readonly classifier?: () => Estimator;
  /** The regression probe. Default `ridgeRegression()` (α = 1), on standardized features. */
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

const where = 'probePolicy';
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

function matchesAtStart(pattern: RegExp, path: string): boolean {
  // The leftmost match starts at 0 exactly when some match does; a copy without `g`/`y` has no lastIndex state.
  return new RegExp(pattern.source, pattern.flags.replace(/[gy]/g, '')).exec(path)?.index === 0;
}

/** The probed module paths, in the model's order. */
function layerPaths(policy: ModelNode, layers: ProbePolicyOptions['layers']): string[] {
  const modules = namedModules(policy);
  if (layers === undefined)
    return modules.filter(([, node]) => childrenOf(node).length === 0).map(([path]) => path);
  if (layers instanceof RegExp) {
    const paths = modules.map(([path]) => path).filter((path) => matchesAtStart(layers, path));
    if (paths.length === 0) {
      throw new InvalidValueError({
        what: `No module path matches ${String(layers)} at its start`,
        where: `${where} options.layers`,
        fix: `Module paths: ${modules.map(([path]) => path).join(', ')}.`,
      });
    }
    return paths;
  }
  return [...layers]; // activationCaching checks that each one exists
}

function checkOptions(options: ProbePolicyOptions): void {
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

/** A key as the table shows it: `'observation'`, `'info.agent'`. */
function keyName(key: Key): string {
  return typeof key === 'string' ? key : key.join('.');
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

/** The layer's output as `[rows, features]` float32 (a new tensor). */
function featureRows(activation: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.cast(tf.reshape(activation, [activation.shape[0], -1]), 'float32'));
}

/**
 * Action and state probes on a policy, layer by layer. Runs `policy` once over `data` (a rollout's
 * trajectory `[T]` or `[N, T]`, or any TensorDict of observations; rows whose `mask` is false are left out),
 * caching every probed layer's output, then, for every layer and target, cross-validates a linear probe
 * (seeded k-fold over shuffled rows) and the same probe on shuffled labels. Targets are read from the
 * policy's run: the data's keys, and what the policy writes on them (its own greedy `action` and `value`,
 * which replace the data's). Classifications use logistic regression scored by accuracy, regressions ridge
 * regression scored by R². Rows come layer by layer (the baseline first), targets in the given order.
 * The policy is restored and every tensor freed, also after an error.
 *
 * @example
 * const rows = probePolicy(cartPolePolicy(), trajectory, {
 *   targets: {
 *     action: { key: 'action' },
 *     value: { key: 'value' },
 *     pole_angle: { key: 'observation', column: 2 },
 *     cart_velocity: { key: 'observation', column: 1 },
 *   },
 *   folds: 5,
 *   seed: 0,
 * });
 * console.log(formatProbeTable(rows));
 */
export function probePolicy(policy: ModelNode, data: TensorDict, options: ProbePolicyOptions): ProbeRow[] {
  checkOptions(options);
  const { targets, baseline = 'observation', folds = 5, seed = 0, standardize = true } = options;
  const paths = layerPaths(policy, options.layers);
  const method = paths.length === 0 ? undefined : activationCaching({ select: paths, cacheKey });
  const rows = policyRows(data);
  const owned: tf.Tensor[] = [];
  let result: TensorDict | undefined;
  try {
    if (baseline !== null && !(rows.has(baseline) && rows.get(baseline) instanceof tf.Tensor)) {
      throw new MissingKeyError({
        what: `The data has no ${formatKey(baseline)} to probe as the baseline`,
        where: `${where} options.baseline`,
        fix: "Name the policy's input key (e.g. baseline: 'observation'), or pass baseline: null.",
      });
    }
    const n = rows.batchShape[0] ?? 0;
    if (folds > n) {
      throw new InvalidValueError({
        what: `${folds} folds need at least ${folds} rows; the data has ${n}`,
        where: `${where} options.folds`,
        fix: 'Collect more steps, or use fewer folds.',
      });
    }
    if (method === undefined) {
      result = new KeyedModel(policy, options.keys).run(rows); // the baseline alone: nothing to cache
    } else {
      const prepared = method.prepare(policy, options.keys);
      try {
        result = prepared.run(rows);
      } finally {
        prepared.restore();
      }
    }
    const labels = Object.entries(targets).map(([name, target]) => {
      const { values, kind } = targetValues(result as TensorDict, name, target);
      owned.push(values);
      return { name, kind, values };
    });
    const layers: [string, tf.Tensor][] = [];
    if (baseline !== null) layers.push([keyName(baseline), featureRows(rows.getTensor(baseline))]);
    for (const path of paths) layers.push([path, featureRows(result.getTensor([cacheKey, path]))]);
    owned.push(...layers.map(([, x]) => x));
    const classifications = labels.filter(({ kind }) => kind === 'classification');
    const regressions = labels.filter(({ kind }) => kind === 'regression');
    const probeOf = (make: () => Estimator): (() => Estimator) =>
      standardize ? () => standardized(make()) : make;
    const classifier = probeOf(options.classifier ?? (() => logisticRegression()));
    const regressor = probeOf(options.regressor ?? (() => ridgeRegression()));
    // One [rows, k] fit for all regression targets: ridge (and least squares) solve each output on its own.
    const stacked =
      regressions.length === 0
        ? undefined
        : tf.stack(
            regressions.map(({ values }) => values),
            1,
          );
    if (stacked !== undefined) owned.push(stacked);
    const controls = {
      classification: classifications.map(({ values }) => shuffledLabels(values, seed + 1)),
      regression: stacked === undefined ? undefined : shuffledRows(stacked, seed + 1),
    };
    owned.push(...controls.classification);
    if (controls.regression !== undefined) owned.push(controls.regression);
    const cv = { folds, shuffle: true, seed };
    const r2Metrics = Object.fromEntries(
      regressions.map(({ name }, column) => [name, columnR2(column)] as const),
    );
    const scores = new Map<string, { score: number; control: number }>();
    const out: ProbeRow[] = [];
    for (const [layer, x] of layers) {
      classifications.forEach(({ name, values }, index) => {
        const control = controls.classification[index] as tf.Tensor1D;
        const score = crossValidate(classifier, x, values, { ...cv, metrics: { accuracy } }).mean['accuracy'];
        const shuffled = crossValidate(classifier, x, control, { ...cv, metrics: { accuracy } }).mean[
          'accuracy'
        ];
        scores.set(name, { score: score ?? Number.NaN, control: shuffled ?? Number.NaN });
      });
      if (stacked !== undefined && controls.regression !== undefined) {
        const score = crossValidate(regressor, x, stacked, { ...cv, metrics: r2Metrics }).mean;
        const shuffled = crossValidate(regressor, x, controls.regression, { ...cv, metrics: r2Metrics }).mean;
        for (const { name } of regressions) {
          scores.set(name, { score: score[name] ?? Number.NaN, control: shuffled[name] ?? Number.NaN });
        }
      }
      for (const { name, kind } of labels) {
        const { score, control } = scores.get(name) ?? { score: Number.NaN, control: Number.NaN };
        const metric = kind === 'classification' ? 'accuracy' : 'r2';
        out.push({ layer, target: name, metric, score, control, features: x.shape[1] ?? 0 });
      }
    }
    return out;
  } finally {
    tf.dispose(owned);
    result?.dispose();
    rows.dispose();
  }
}
