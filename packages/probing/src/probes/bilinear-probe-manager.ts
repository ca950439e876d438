import type * as tf from '@tensorflow/tfjs-core';
import type { HookDirection, TensorDict } from '@tdhook/core';
import { InvalidValueError } from '@tdhook/core';
import { describeStructure } from '@tdhook/core/plugin';

import type { PairEstimator } from '../estimators/estimator.js';
import { BilinearProbe } from './bilinear-probe.js';
import { checkFactory, type ProbeManagerOptions } from './probe-manager.js';
import type { ProbeLike, ProbeStep } from './probe-step.js';
import { ProbeResults, type ComputeMetrics } from './probe-results.js';

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function checkPairs(pairs: unknown): (readonly [string, string])[] {
  const ok =
    Array.isArray(pairs) &&
    pairs.every(
      (pair) =>
        Array.isArray(pair) &&
        pair.length === 2 &&
        pair.every((key) => typeof key === 'string' && key !== ''),
    );
  if (!ok) {
    throw new InvalidValueError({
      what: `pairs must be a list of [h1, h2] module paths, got ${describeStructure(pairs)}`,
      where: 'BilinearProbeManager',
      fix: "Pass e.g. [['fc1', 'fc2'], ['fc2', 'fc2']].",
    });
  }
  return (pairs as [string, string][]).map(([h1, h2]) => [h1, h2] as const);
}

/**
 * Owns one {@link BilinearProbe} and one pair estimator per pair and direction, named
 * `${h1}_${h2}_${direction}`, reused by later bindings. Its `probeFactory` returns, for a module, a
 * dispatcher that forwards each activation to every pair probe containing that module. Give `keyPattern` as
 * `probing`'s `select`. Call `beforeAll()` before a run and `afterAll()` after it: `afterAll` raises
 * "Bilinear probes still waiting on keys" if a pair saw only one of its modules.
 *
 * @example
 * using manager = new BilinearProbeManager([['fc1', 'fc2']], () => bilinearEstimator({ classes: 2 }), metrics);
 * const method = probing({ select: manager.keyPattern, probeFactory: manager.probeFactory });
 * manager.beforeAll();
 * // … run fit batches, then predict batches …
 * manager.afterAll();
 * manager.results.getTensor(['predict', 'fc1_fc2_forward', 'accuracy']);
 */
export class BilinearProbeManager implements Disposable {
  readonly pairs: readonly (readonly [string, string])[];
  readonly #estimatorFactory: () => PairEstimator;
  readonly #store: ProbeResults;
  readonly #options: ProbeManagerOptions;
  readonly #estimators = new Map<string, PairEstimator>();
  readonly #pairProbes = new Map<string, BilinearProbe>();
  readonly #keyToProbes = new Map<string, BilinearProbe[]>();

  constructor(
    pairs: readonly (readonly [string, string])[],
    estimatorFactory: () => PairEstimator,
    computeMetrics: ComputeMetrics,
    options: ProbeManagerOptions = {},
  ) {
    this.pairs = Object.freeze(checkPairs(pairs));
    checkFactory(estimatorFactory, 'BilinearProbeManager');
    this.#estimatorFactory = estimatorFactory;
    this.#store = new ProbeResults(computeMetrics, options.overwriteResults ?? false, 'BilinearProbeManager');
    this.#options = options;
  }

  /**
   * Every module of the pairs, sorted, escaped and anchored at the end, joined with `|`: `'fc1$|fc2$'`. As
   * `probing`'s `select` (a string is matched from the start of a path) it selects exactly those modules.
   *
   * @example
   * new BilinearProbeManager([['a', 'b']], factory, metrics).keyPattern; // 'a$|b$'
   */
  get keyPattern(): string {
    const keys = [...new Set(this.pairs.flat())].sort();
    return keys.map((key) => `${escapeRegExp(key)}$`).join('|');
  }

  /**
   * The dispatcher for `path` in `direction`: forwards `step(value, …)` to every pair probe containing
   * `path`, making the missing ones (with new estimators).
   *
   * @example
   * manager.probeFactory('fc1', 'forward').step(activation, { labels, stepType: 'fit' });
   */
  readonly probeFactory = (path: string, direction: HookDirection): ProbeLike => {
    const keyDirection = JSON.stringify([path, direction]);
    let probes = this.#keyToProbes.get(keyDirection);
    if (probes === undefined) {
      probes = [];
      for (const [h1, h2] of this.pairs) {
        if (path !== h1 && path !== h2) continue;
        const name = `${h1}_${h2}_${direction}`;
        const probe = this.#pairProbes.get(name) ?? this.createPairProbe(h1, h2, direction);
        probes.push(probe);
      }
      this.#keyToProbes.set(keyDirection, probes);
    }
    const targets = probes;
    return {
      step: (value: tf.Tensor, step: ProbeStep): void => {
        for (const probe of targets) probe.step(value, { ...step, key: path });
      },
    };
  };

  /**
   * Makes the probe of one pair and direction; raises "already exists" if there is one (call
   * `resetEstimators()` first). `probeFactory` calls it for the pairs it has not seen.
   *
   * @example
   * manager.createPairProbe('fc1', 'fc2', 'forward');
   */
  createPairProbe(h1: string, h2: string, direction: HookDirection): BilinearProbe {
    const name = `${h1}_${h2}_${direction}`;
    if (this.#estimators.has(name)) {
      throw new InvalidValueError({
        what: `Probe ${name} already exists`,
        where: 'BilinearProbeManager.createPairProbe',
        fix: 'Call resetEstimators() before replacing it.',
      });
    }
    const estimator = this.#estimatorFactory();
    this.#estimators.set(name, estimator);
    const { preprocess } = this.#options;
    const probe = new BilinearProbe(h1, h2, estimator, {
      predictCallback: (predictions, labels) => this.#store.record('predict', name, predictions, labels),
      fitCallback: (predictions, labels) => this.#store.record('fit', name, predictions, labels),
      ...(preprocess === undefined ? {} : { preprocess }),
    });
    this.#pairProbes.set(name, probe);
    return probe;
  }

  /** The pair probes by name (`'fc1_fc2_forward'`), lent. */
  get probes(): ReadonlyMap<string, BilinearProbe> {
    return this.#pairProbes;
  }

  /** The pair estimators by name (`'fc1_fc2_forward'`), lent. */
  get estimators(): ReadonlyMap<string, PairEstimator> {
    return this.#estimators;
  }

  /** `[phase, pair probe, metric]` → metric tensor; lent, valid until {@link resetResults} or dispose. */
  get results(): TensorDict {
    return this.#store.results;
  }

  /** True while some pair probe holds one activation and waits for the other. */
  get isWaiting(): boolean {
    return [...this.#pairProbes.values()].some((probe) => probe.isWaiting);
  }

  /**
   * Starts a run: every pair probe forgets what it kept.
   *
   * @example
   * manager.beforeAll();
   */
  beforeAll(): void {
    for (const probe of this.#pairProbes.values()) probe.beforeAll();
  }

  /**
   * Ends a run; raises "Bilinear probes still waiting on keys" naming the modules and pairs that never
   * completed (their kept activations are dropped either way).
   *
   * @example
   * manager.afterAll();
   */
  afterAll(): void {
    const waiting = [...this.#pairProbes.values()].flatMap((probe) => probe.afterAll());
    if (waiting.length === 0) return;
    const keys = [...new Set(waiting.flat())].sort();
    throw new InvalidValueError({
      what: `Bilinear probes still waiting on keys: ${JSON.stringify(keys)}. Unresolved pairs: ${JSON.stringify(waiting)}`,
      where: 'BilinearProbeManager.afterAll',
      fix: 'Select both modules of every pair (use keyPattern as select) and check that the model runs them.',
    });
  }

  /**
   * Disposes the estimators and forgets the pair probes and the module → probes map.
   *
   * @example
   * manager.resetEstimators();
   */
  resetEstimators(): void {
    for (const probe of this.#pairProbes.values()) probe.dispose();
    for (const estimator of this.#estimators.values()) estimator.dispose();
    this.#estimators.clear();
    this.#pairProbes.clear();
    this.#keyToProbes.clear();
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

  /** Disposes estimators, kept activations and results. */
  dispose(): void {
    this.resetEstimators();
    this.#store.dispose();
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}
