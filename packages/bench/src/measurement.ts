import type { Params } from './scenario.js';
import type { Spread } from './stats.js';

/**
 * What one variant at one grid point measured, in its own process.
 *
 * @example
 * const m: Measurement = result.measurements[0];
 * console.log(`${m.variant}: spawn ${m.spawnMs} ms, run ${m.run.median} ms, RSS ${m.peakRssMiB} MiB`);
 */
export interface Measurement {
  readonly scenario: string;
  readonly variant: string;
  readonly params: Params;
  /** The TF.js backend the process ran on. */
  readonly backend: string;
  /** Process start to the variant being ready: Node start-up, imports, backend start, setup (model, prepare). */
  readonly spawnMs: number;
  /** One measured call each, after the warm-up calls. */
  readonly run: Spread;
  /** Peak resident set size of the whole process. */
  readonly peakRssMiB: number;
  /** TF.js tensor bytes alive once set up (models, data). */
  readonly tensorBytesAfterSetup: number;
  /** Peak TF.js tensor bytes during one call, above what was alive before it (`tf.profile`'s peakBytes − start). */
  readonly tensorPeakBytes: number;
  /** GPU bytes as TF.js reports them (`numBytesInGPU`), on backends that report it. */
  readonly gpuBytes?: number;
  /** The variant's note at this point (`PreparedVariant.note`), e.g. the accuracy an approximation buys. */
  readonly note?: string;
  /** Set when the variant failed at this point; the other fields are then NaN. */
  readonly error?: string;
}

/**
 * One grid point of a scenario: every variant's measurement and its ratios to the baseline (> 1: the
 * baseline is slower).
 *
 * @example
 * for (const c of result.comparisons) console.log(c.scenario, c.params, c.speedup.tdhook);
 */
export interface Comparison {
  readonly scenario: string;
  readonly params: Params;
  readonly baseline: string;
  /** Baseline median run time over the variant's (2 = twice as fast as the baseline). */
  readonly speedup: Readonly<Record<string, number>>;
  /** Variant peak tensor bytes over the baseline's. */
  readonly memoryRatio: Readonly<Record<string, number>>;
}

/**
 * Where and when a suite ran.
 *
 * @example
 * const machine: Machine = result.machine; // { cpus: '2 × AMD EPYC', node: 'v20.20.2', ... }
 */
export interface Machine {
  readonly cpus: string;
  readonly memoryGiB: number;
  readonly platform: string;
  readonly node: string;
  readonly tfjs: string;
}

/**
 * A whole suite run: what every process measured, and the comparisons with each scenario's baseline.
 *
 * @example
 * const result: SuiteResult = await runSuite({ suite: new URL('./suite.js', import.meta.url), preset: 'quick' });
 * writeFileSync('bench.json', JSON.stringify(result, null, 2));
 */
export interface SuiteResult {
  readonly date: string;
  readonly preset: 'quick' | 'full';
  readonly machine: Machine;
  readonly scenarios: readonly {
    readonly id: string;
    readonly title: string;
    readonly description?: string;
    readonly baseline: string;
  }[];
  readonly measurements: readonly Measurement[];
  readonly comparisons: readonly Comparison[];
}
