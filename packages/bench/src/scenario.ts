import type * as tf from '@tensorflow/tfjs-core';

/**
 * One value of a scenario parameter (a width, a batch size, a method name).
 *
 * @example
 * const value: ParamValue = 256;
 */
export type ParamValue = number | string | boolean;

/**
 * One point of a scenario's parameter grid.
 *
 * @example
 * const point: Params = { width: 256, depth: 5, batch: 32, targets: 10 };
 */
export type Params = Readonly<Record<string, ParamValue>>;

/**
 * What a measured call gives back: the tensors it computed (the harness waits for and disposes them), or
 * nothing.
 *
 * @example
 * const result: RunResult = [logits, cache];
 */
export type RunResult = tf.Tensor | readonly tf.Tensor[] | undefined;

/**
 * A variant set up at one grid point: `run` is the measured call (it returns the tensors it computed, which
 * the harness waits for and disposes; an async call, e.g. generation that reads each token back, returns a
 * promise of them and is timed until it settles); `dispose` frees what the setup made; `note`, if given,
 * is one line the report prints under the scenario's table (e.g. the accuracy an approximation buys), read
 * once after the measured calls.
 *
 * @example
 * const prepared: PreparedVariant = { run: () => plainIg(model, x), dispose: () => model.dispose() };
 */
export interface PreparedVariant {
  run(): RunResult | Promise<RunResult>;
  dispose(): void;
  note?(): string;
}

/**
 * Builds a variant at a grid point: models, data, prepared methods. Its time counts as spawn, not run.
 *
 * @example
 * const plain: VariantSetup<{ batch: number }> = ({ batch }) => ({ run: () => step(batch), dispose });
 */
export type VariantSetup<P extends Params> = (params: P) => PreparedVariant | Promise<PreparedVariant>;

/**
 * How many times a variant runs in its process: warm-up runs first (not measured), then measured runs.
 *
 * @example
 * const repetitions: Repetitions = { warmup: 2, runs: 10 };
 */
export interface Repetitions {
  readonly warmup: number;
  readonly runs: number;
}

/**
 * A benchmark scenario: variants of the same computation (tdhook and a plain-TF.js baseline doing the same
 * math) over a parameter grid. Each variant at each point runs in a fresh process, so that spawn (imports,
 * backend start, setup) and run are measured apart.
 *
 * @example
 * export const igMultiTarget = defineScenario({
 *   id: 'ig-multi-target',
 *   title: 'Integrated gradients, several targets in one call',
 *   grid: { quick: [{ width: 64, targets: 10 }], full: widths.map((width) => ({ width, targets: 10 })) },
 *   baseline: 'plain',
 *   variants: { tdhook: setupTdhook, plain: setupPlain },
 * });
 */
export interface Scenario<P extends Params = Params> {
  /** Lower-case words and dashes; unique in a suite. */
  readonly id: string;
  readonly title: string;
  /** What is measured and how the variants differ, one or two sentences. */
  readonly description?: string;
  /** Grid points: `quick` for smoke runs (CI), `full` for the real measurement. */
  readonly grid: { readonly quick: readonly P[]; readonly full: readonly P[] };
  readonly variants: Readonly<Record<string, VariantSetup<P>>>;
  /** The variant the others are compared with (the plain TF.js code). */
  readonly baseline: string;
  /** Default `{ warmup: 2, runs: 10 }` (`quick`: `{ warmup: 1, runs: 3 }`). */
  readonly repetitions?: { readonly full?: Repetitions; readonly quick?: Repetitions };
}

const idPattern = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/**
 * Checks a scenario and returns it, typed by its parameters. Throws a TypeError that says what is wrong.
 *
 * @example
 * export const suite: Suite = [defineScenario({ id: 'saliency', title: 'Saliency', grid, baseline: 'plain', variants })];
 */
export function defineScenario<P extends Params>(scenario: Scenario<P>): Scenario<P> {
  if (!idPattern.test(scenario.id)) {
    throw new TypeError(`Scenario id ${JSON.stringify(scenario.id)}: use lower-case words and dashes.`);
  }
  if (!(scenario.baseline in scenario.variants)) {
    throw new TypeError(
      `Scenario '${scenario.id}': baseline '${scenario.baseline}' is not one of its variants (${Object.keys(scenario.variants).join(', ')}).`,
    );
  }
  if (scenario.grid.quick.length === 0 || scenario.grid.full.length === 0) {
    throw new TypeError(`Scenario '${scenario.id}': both grids need at least one point.`);
  }
  return Object.freeze(scenario);
}

/**
 * A scenario of any parameter type, as a suite holds it (setups take `never`: a suite only calls them with
 * the scenario's own grid points).
 *
 * @example
 * const scenarios: AnyScenario[] = [igMultiTarget, interventionChains];
 */
export interface AnyScenario {
  readonly id: string;
  readonly title: string;
  readonly description?: string;
  readonly grid: { readonly quick: readonly Params[]; readonly full: readonly Params[] };
  readonly variants: Readonly<Record<string, (params: never) => PreparedVariant | Promise<PreparedVariant>>>;
  readonly baseline: string;
  readonly repetitions?: { readonly full?: Repetitions; readonly quick?: Repetitions };
}

/**
 * What a suite module exports as `suite`: its scenarios, in report order. The harness imports the module in
 * each worker process, so scenarios are found again by id there.
 *
 * @example
 * export const suite: Suite = [igMultiTarget, lrpBatches];
 */
export type Suite = readonly AnyScenario[];
