import {
  formatKey,
  InvalidValueError,
  MissingKeyError,
  ShapeMismatchError,
  toKeyPath,
  type Key,
  type TensorDict,
} from '@tdhook/core';
import { checkOptionNames, describeStructure, isTensorDict } from '@tdhook/core/plugin';

/**
 * Options of {@link attributionOverTime}.
 *
 * @example
 * const options: AttributionOverTimeOptions = { target: 'value', names: env.observationSpace.names, env: 0 };
 */
export interface AttributionOverTimeOptions {
  /**
   * The named target whose attribution is read (`[attributionKey, target, input]`, as attribution methods
   * write named targets). Leave it out for a single unnamed target (`[attributionKey, input]`).
   */
  readonly target?: string;
  /** Where the method wrote its results (its `attributionKey` option). Default `'attr'`. */
  readonly attributionKey?: Key;
  /** The attributed input key. Default `'observation'`. */
  readonly input?: Key;
  /** One name per observation element, row-major (an environment's `observationSpace.names`). Default `x0`, `x1`, … */
  readonly names?: readonly string[] | undefined;
  /** Which environment of an `[N, T]` trajectory. Default 0 (a `[T]` trajectory has only that one). */
  readonly env?: number;
}

/**
 * One observation variable's attribution at every step of a rollout.
 *
 * @example
 * const series: VariableSeries = { name: 'pole_angle', values: [0.12, 0.3] };
 */
export interface VariableSeries {
  readonly name: string;
  /** One value per step, padding steps included (the trajectory's `mask` says which are real). */
  readonly values: number[];
}

/**
 * The attribution written by a workflow over a {@link rollout}, per observation variable over time: what a
 * plot of "which variable drove the action (or the value) when" needs. Reads `[attributionKey, target, input]`
 * (or `[attributionKey, input]`), batch `[T]` or `[N, T]`.
 *
 * @example
 * const workflow = new Workflow([
 *   saliency({ targets: { action: { output: 'logits', select: 'argmax' }, value: { output: 'value' } } }),
 * ]);
 * using trajectory = rollout(env, policy, { episodes: 1, workflow });
 * for (const { name, values } of attributionOverTime(trajectory, { target: 'action', names: env.observationSpace.names }))
 *   console.log(name, values.slice(0, 5));
 */
export function attributionOverTime(
  trajectory: TensorDict,
  options: AttributionOverTimeOptions = {},
): VariableSeries[] {
  const where = 'attributionOverTime';
  if (!isTensorDict(trajectory)) {
    throw new InvalidValueError({
      what: `attributionOverTime takes a rollout's TensorDict, got ${describeStructure(trajectory)}`,
      where,
      fix: 'Pass what rollout(...) returned.',
    });
  }
  checkOptionNames(options, ['target', 'attributionKey', 'input', 'names', 'env'], {}, where);
  const input = toKeyPath(options.input ?? 'observation', `${where} input`);
  const root = toKeyPath(options.attributionKey ?? 'attr', `${where} attributionKey`);
  const key = toKeyPath(
    options.target === undefined ? [...root, ...input] : [...root, options.target, ...input],
    `${where} target`,
  );
  if (!trajectory.has(key) || isTensorDict(trajectory.get(key))) {
    throw new MissingKeyError({
      what: `The trajectory has no attribution ${formatKey(key)}`,
      where,
      fix: 'Run the rollout with a workflow of an attribution method (named targets give ["attr", name, input]), and name its target here.',
    });
  }
  const batch = trajectory.batchShape;
  if (batch.length !== 1 && batch.length !== 2) {
    throw new InvalidValueError({
      what: `attributionOverTime takes a trajectory of batch [T] or [N, T], got [${batch.join(', ')}]`,
      where,
      fix: 'Pass what rollout(...) returned.',
    });
  }
  const envs = batch.length === 2 ? (batch[0] as number) : 1;
  const env = options.env ?? 0;
  if (!Number.isInteger(env) || env < 0 || env >= envs) {
    throw new InvalidValueError({
      what: `env ${describeStructure(env)} is not one of the trajectory's ${envs} environment(s)`,
      where: `${where} env`,
      fix: `Pass env: 0 … ${envs - 1}.`,
    });
  }
  const steps = batch[batch.length - 1] as number;
  const tensor = trajectory.getTensor(key);
  const width = tensor.shape.slice(batch.length).reduce((total, size) => total * size, 1);
  const names = options.names ?? Array.from({ length: width }, (_, index) => `x${index}`);
  if (names.length !== width) {
    throw new ShapeMismatchError({
      what: `${names.length} names for ${width} observation elements`,
      where: `${where} names`,
      fix: 'Pass one name per element (the environment’s observationSpace.names), or leave names out.',
    });
  }
  const data = tensor.dataSync();
  return names.map((name, variable) => ({
    name,
    values: Array.from({ length: steps }, (_, t) => data[(env * steps + t) * width + variable] as number),
  }));
}
