import { InvalidValueError, ShapeMismatchError, type ModelKeys, type Workflow } from '@tdhook/core';
import { checkOptionNames, describeStructure } from '@tdhook/core/plugin';

import type { Environment } from '../env/environment.js';

/**
 * How a rollout picks the action it sends to the environment:
 * - `'policy'`: the `action` the policy wrote (an actor-critic's argmax, a Q-network's greedy action);
 * - `'greedy'`: the argmax of `logits`;
 * - `'sample'`: drawn from `softmax(logits)` with the rollout's seeded generator; also writes `log_prob`.
 *
 * @example
 * const explore: RolloutExplore = 'sample';
 */
export type RolloutExplore = 'policy' | 'greedy' | 'sample';

/**
 * When a rollout runs its workflow (see {@link RolloutOptions.runWorkflow}).
 *
 * @example
 * const schedule: RolloutWorkflowSchedule = 'once-after';
 */
export type RolloutWorkflowSchedule = 'every-step' | 'once-after';

/**
 * What {@link RolloutOptions.onProgress} receives after every step.
 *
 * @example
 * const progress: RolloutProgress = { step: 10, finishedEpisodes: 2 };
 */
export interface RolloutProgress {
  /** Steps taken so far (per environment). */
  readonly step: number;
  /** Episodes finished so far, over all environments. */
  readonly finishedEpisodes: number;
}

/**
 * Options of {@link rollout}. Give exactly one of `steps` and `episodes`.
 *
 * @example
 * const options: RolloutOptions = { episodes: 1, explore: 'sample', seed: 7 };
 */
export interface RolloutOptions {
  /** Steps per environment; an environment whose episode ends is reset (unseeded) and goes on. */
  readonly steps?: number;
  /** Episodes per environment; environments that finish early are padded (`mask` false) until all have. */
  readonly episodes?: number;
  /**
   * A workflow run at every step (prepared once on the policy, restored after the rollout, also after an
   * error); whatever it writes is stacked over time. Default: the policy alone.
   */
  readonly workflow?: Workflow;
  /**
   * When the workflow runs: `'every-step'` (on each step's observations, as the policy acts: what steering
   * and other methods that change the actions need), or `'once-after'` (the policy alone acts; the workflow
   * then runs once on all the trajectory's observations as one batch). `'once-after'` gives the same numbers
   * for methods that read the policy row by row (caching, saliency, integrated gradients, LRP) at a fraction
   * of the cost; methods that look across the batch (concept selection) see the whole trajectory. Default
   * `'every-step'`.
   */
  readonly runWorkflow?: RolloutWorkflowSchedule;
  /**
   * The keys of a plain model (a {@link KeyedModule} uses its own; keys given are only checked). The model
   * must read `observation`. Default `{ inKeys: ['observation'], outKeys: ['logits'] }`.
   */
  readonly keys?: ModelKeys;
  /** How the action is chosen. Default `'policy'`. */
  readonly explore?: RolloutExplore;
  /** Environment `i`'s first reset uses `seed + i`; sampling uses its own generator seeded with `seed`. Default 0. */
  readonly seed?: number;
  /** Called after every step. */
  readonly onProgress?: (progress: RolloutProgress) => void;
}

/** The checked options, defaults filled in. */
export interface CheckedRolloutOptions {
  readonly envs: readonly Environment[];
  readonly batched: boolean;
  readonly steps: number | undefined;
  readonly episodes: number | undefined;
  readonly workflow: Workflow | undefined;
  readonly runWorkflow: RolloutWorkflowSchedule;
  readonly keys: ModelKeys;
  readonly explore: RolloutExplore;
  readonly seed: number;
  readonly onProgress: ((progress: RolloutProgress) => void) | undefined;
}

const where = 'rollout options';
const explores: readonly RolloutExplore[] = ['policy', 'greedy', 'sample'];
const schedules: readonly RolloutWorkflowSchedule[] = ['every-step', 'once-after'];
const defaultKeys: ModelKeys = { inKeys: ['observation'], outKeys: ['logits'] };

function positiveInteger(value: unknown, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new InvalidValueError({
      what: `${name} must be a positive integer, got ${describeStructure(value)}`,
      where: `${where}.${name}`,
      fix: `Pass ${name}: 1 or more.`,
    });
  }
  return value;
}

function checkEnvs(env: unknown): { envs: readonly Environment[]; batched: boolean } {
  const batched = Array.isArray(env);
  const envs = (batched ? env : [env]) as unknown[];
  if (envs.length === 0) {
    throw new InvalidValueError({
      what: 'rollout got an empty list of environments',
      where: 'rollout(env)',
      fix: 'Pass one environment, or a list of at least one.',
    });
  }
  envs.forEach((candidate, index) => {
    const e = candidate as Partial<Environment> | null;
    if (
      typeof e !== 'object' ||
      e === null ||
      typeof e.reset !== 'function' ||
      typeof e.step !== 'function' ||
      e.observationSpace?.kind !== 'box' ||
      e.actionSpace?.kind !== 'discrete'
    ) {
      throw new InvalidValueError({
        what: `Environment ${index} is not an Environment (reset, step, a box observation space and discrete actions), got ${describeStructure(candidate)}`,
        where: 'rollout(env)',
        fix: 'Pass environments such as new CartPole() or new Corridor().',
      });
    }
  });
  const checked = envs as Environment[];
  const [first] = checked;
  checked.forEach((e, index) => {
    if (first === undefined) return;
    const same =
      e.observationSpace.shape.length === first.observationSpace.shape.length &&
      e.observationSpace.shape.every((size, axis) => size === first.observationSpace.shape[axis]) &&
      e.actionSpace.n === first.actionSpace.n;
    if (!same) {
      throw new ShapeMismatchError({
        what: `Environment ${index} has observations [${e.observationSpace.shape.join(', ')}] and ${e.actionSpace.n} actions, environment 0 [${first.observationSpace.shape.join(', ')}] and ${first.actionSpace.n}`,
        where: 'rollout(envs)',
        fix: 'Roll out environments of one kind together.',
      });
    }
  });
  return { envs: checked, batched };
}

/**
 * Checks the environments and the options, every default filled in; throws a typed error that names the
 * option before anything runs.
 *
 * @example
 * const checked = checkRolloutOptions(new CartPole(), { steps: 10 });
 */
export function checkRolloutOptions(env: unknown, options: unknown): CheckedRolloutOptions {
  checkOptionNames(
    options,
    ['steps', 'episodes', 'workflow', 'runWorkflow', 'keys', 'explore', 'seed', 'onProgress'],
    { max_steps: 'Use steps (per environment).', n_steps: 'Use steps (per environment).' },
    'rollout',
  );
  const given = options as RolloutOptions;
  const { envs, batched } = checkEnvs(env);
  const steps = positiveInteger(given.steps, 'steps');
  const episodes = positiveInteger(given.episodes, 'episodes');
  if ((steps === undefined) === (episodes === undefined)) {
    throw new InvalidValueError({
      what: steps === undefined ? 'rollout needs steps or episodes' : 'rollout got both steps and episodes',
      where,
      fix: 'Pass exactly one: { steps: 200 } (per environment) or { episodes: 5 } (per environment).',
    });
  }
  const explore = given.explore ?? 'policy';
  if (!explores.includes(explore)) {
    throw new InvalidValueError({
      what: `explore must be one of ${explores.map((name) => `'${name}'`).join(', ')}, got ${describeStructure(explore)}`,
      where: `${where}.explore`,
      fix: "Use 'policy' (the policy's action), 'greedy' (argmax of logits) or 'sample'.",
    });
  }
  const runWorkflow = given.runWorkflow ?? 'every-step';
  if (!schedules.includes(runWorkflow)) {
    throw new InvalidValueError({
      what: `runWorkflow must be 'every-step' or 'once-after', got ${describeStructure(runWorkflow)}`,
      where: `${where}.runWorkflow`,
      fix: "Use 'every-step' (the default) or 'once-after' for methods that only read the policy.",
    });
  }
  const seed = given.seed ?? 0;
  if (!Number.isInteger(seed)) {
    throw new InvalidValueError({
      what: `seed must be an integer, got ${describeStructure(seed)}`,
      where: `${where}.seed`,
      fix: 'Pass seed: 0 or another integer.',
    });
  }
  if (given.onProgress !== undefined && typeof given.onProgress !== 'function') {
    throw new InvalidValueError({
      what: `onProgress must be a function, got ${describeStructure(given.onProgress)}`,
      where: `${where}.onProgress`,
      fix: 'Pass (progress) => { … } or leave it out.',
    });
  }
  return {
    envs,
    batched,
    steps,
    episodes,
    workflow: given.workflow,
    runWorkflow,
    keys: given.keys ?? defaultKeys,
    explore,
    seed,
    onProgress: given.onProgress,
  };
}
