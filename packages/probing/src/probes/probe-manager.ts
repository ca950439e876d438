import type { HookDirection, TensorDict } from '@tdhook/core';
import { InvalidValueError } from '@tdhook/core';
import { describeStructure } from '@tdhook/core/plugin';

import type { Estimator } from '../estimators/estimator.js';
import { Probe, type Preprocess } from './probe.js';
import { ProbeResults, type ComputeMetrics } from './probe-results.js';

/**
 * Options of {@link ProbeManager} and {@link BilinearProbeManager}.
 *
 * @example
 * const options: ProbeManagerOptions = { overwriteResults: true };
 */
export interface ProbeManagerOptions {
  /** Replace a probe's result of a phase instead of raising "already exists". Default `false`. */
  readonly overwriteResults?: boolean;
  /** How activations become rows, for every probe. Default: flatten to 2-D. */
  readonly preprocess?: Preprocess;
}

/** Checks an estimator factory's type once, at construction. */
export function checkFactory(factory: unknown, where: string): void {
  if (typeof factory !== 'function') {
    throw new InvalidValueError({
      what: `The estimator factory must be a function () => estimator, got ${describeStructure(factory)}`,
      where,
      fix: 'Pass e.g. () => logisticRegression() or () => linearProbe({ classes: 2 }): a new estimator per probe.',
    });
  }
}

/**
 * Owns one {@link Probe} and one estimator per module and direction, named `${path}_${direction}` (e.g.
 * `'fc1_forward'`), made on first use by `probeFactory` and reused by later bindings, so a fit in one run and a
 * predict in the next use the same fitted estimator (SPEC §2.4). Each step's metrics go to `results`, a
 * TensorDict keyed by `[phase, probe, metric]`. Give `probeFactory` to `probing`.
 *
 * @example
 * using manager = new ProbeManager(() => logisticRegression(), (predictions, labels) => ({
 *   accuracy: accuracy(predictions, labels!),
 * }));
 * const method = probing({ select: /^fc\d$/, probeFactory: manager.probeFactory });
 * // … run it on a 'fit' batch, then on a 'predict' batch …
 * manager.results.getTensor(['predict', 'fc1_forward', 'accuracy']);
 */
export class ProbeManager implements Disposable {
  readonly #estimatorFactory: () => Estimator;
  readonly #store: ProbeResults;
  readonly #preprocess: Preprocess | undefined;
  readonly #estimators = new Map<string, Estimator>();
  readonly #probes = new Map<string, Probe>();

  constructor(
    estimatorFactory: () => Estimator,
    computeMetrics: ComputeMetrics,
    options: ProbeManagerOptions = {},
  ) {
    checkFactory(estimatorFactory, 'ProbeManager');
    this.#estimatorFactory = estimatorFactory;
    this.#store = new ProbeResults(computeMetrics, options.overwriteResults ?? false, 'ProbeManager');
    this.#preprocess = options.preprocess;
  }

  /**
   * The probe of `path` in `direction`: made (with a new estimator) the first time, the same one after.
   * An arrow property, so it can be passed as is: `probing({ probeFactory: manager.probeFactory })`.
   *
   * @example
   * manager.probeFactory('fc1', 'forward') === manager.probeFactory('fc1', 'forward'); // true
   */
  readonly probeFactory = (path: string, direction: HookDirection): Probe => {
    const key = `${path}_${direction}`;
    const known = this.#probes.get(key);
    if (known !== undefined) return known;
    const estimator = this.#estimatorFactory();
    this.#estimators.set(key, estimator);
    const probe = new Probe(estimator, {
      predictCallback: (predictions, labels) => this.#store.record('predict', key, predictions, labels),
      fitCallback: (predictions, labels) => this.#store.record('fit', key, predictions, labels),
      ...(this.#preprocess === undefined ? {} : { preprocess: this.#preprocess }),
    });
    this.#probes.set(key, probe);
    return probe;
  };

  /** The estimators by probe name (`'fc1_forward'`), lent. */
  get estimators(): ReadonlyMap<string, Estimator> {
    return this.#estimators;
  }

  /** `[phase, probe, metric]` → metric tensor; lent, valid until {@link resetResults} or dispose. */
  get results(): TensorDict {
    return this.#store.results;
  }

  /**
   * Disposes the estimators and forgets the probes: the next binding starts unfitted.
   *
   * @example
   * manager.resetEstimators();
   */
  resetEstimators(): void {
    for (const estimator of this.#estimators.values()) estimator.dispose();
    this.#estimators.clear();
    this.#probes.clear();
  }

  /**
   * Disposes the results, keeping the fitted estimators.
   *
   * @example
   * manager.resetResults();
   */
  resetResults(): void {
    this.#store.reset();
  }

  /** Disposes estimators and results. */
  dispose(): void {
    this.resetEstimators();
    this.#store.dispose();
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}
