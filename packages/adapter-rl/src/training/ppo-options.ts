import { InvalidValueError } from '@tdhook/core';
import { checkOptionNames, describeStructure } from '@tdhook/core/plugin';

import type { Environment } from '../env/environment.js';
import type { ActorCritic } from '../policies/actor-critic.js';

/**
 * What {@link trainPpo} reports after every update (and keeps in its result's `history`).
 *
 * @example
 * const progress: PpoProgress = {
 *   update: 3, envSteps: 6144, episodes: 40, meanReturn: 87.5, policyLoss: -0.01, valueLoss: 12.3,
 *   entropy: 0.65, approxKl: 0.004, clipFraction: 0.05, learningRate: 0.0009, seconds: 2.1,
 * };
 */
export interface PpoProgress {
  /** Updates done so far (1 after the first). */
  readonly update: number;
  /** Environment steps collected so far, over all environments. */
  readonly envSteps: number;
  /** Episodes that ended during this update's rollout. */
  readonly episodes: number;
  /** Their mean return (sampled actions), NaN if none ended. */
  readonly meanReturn: number;
  /** Means over this update's minibatches. */
  readonly policyLoss: number;
  readonly valueLoss: number;
  readonly entropy: number;
  readonly approxKl: number;
  readonly clipFraction: number;
  /** The learning rate this update used. */
  readonly learningRate: number;
  /** Seconds since training started. */
  readonly seconds: number;
}

/**
 * Options of {@link trainPpo}. Defaults solve CartPole-v1 with a `[64, 64]` tanh {@link ActorCritic}.
 *
 * @example
 * const options: TrainPpoOptions = { makeEnv: () => new CartPole(), policy, updates: 40, seed: 1 };
 */
export interface TrainPpoOptions {
  /** Makes environment `index` (called once per environment, before training). */
  readonly makeEnv: (index: number) => Environment;
  /** The policy to train in place (its variables are updated). */
  readonly policy: ActorCritic;
  /** At most this many updates (rollout + optimisation). Default 50. */
  readonly updates?: number;
  /** Environments stepped side by side. Default 8. */
  readonly envs?: number;
  /**
   * Steps per environment per update. Default 512: longer than CartPole's 500-step episodes, since each
   * update's rollout starts new episodes.
   */
  readonly steps?: number;
  /** Passes over each update's samples. Default 10. */
  readonly epochs?: number;
  /** Samples per gradient step. Default 256. */
  readonly minibatchSize?: number;
  /** Adam's learning rate at the first update. Default 1e-3. */
  readonly learningRate?: number;
  /** Lower the learning rate linearly to 0 over `updates` (as CleanRL and Stable-Baselines3 do). Default true. */
  readonly annealLearningRate?: boolean;
  /** Discount factor γ. Default 0.99. */
  readonly gamma?: number;
  /** GAE's λ. Default 0.95. */
  readonly lambda?: number;
  /** PPO's clip range ε. Default 0.2. */
  readonly clip?: number;
  /** Weight of the value loss. Default 0.5. */
  readonly valueCoefficient?: number;
  /** Weight of the entropy bonus. Default 0. */
  readonly entropyCoefficient?: number;
  /** Gradients are scaled down to this global norm. Default 0.5. */
  readonly maxGradNorm?: number;
  /** Seeds the rollouts (reset states, sampled actions) and the minibatch order. Default 0. */
  readonly seed?: number;
  /** Called after every update. */
  readonly onProgress?: (progress: PpoProgress) => void;
  /** Stop after the update for which this returns true (e.g. an evaluation passes). */
  readonly until?: (progress: PpoProgress) => boolean;
}

/** {@link TrainPpoOptions} checked, every default filled in. */
export type CheckedPpoOptions = Required<Omit<TrainPpoOptions, 'onProgress' | 'until'>> & {
  readonly onProgress: TrainPpoOptions['onProgress'] | undefined;
  readonly until: TrainPpoOptions['until'] | undefined;
};

const names = [
  'makeEnv',
  'policy',
  'updates',
  'envs',
  'steps',
  'epochs',
  'minibatchSize',
  'learningRate',
  'annealLearningRate',
  'gamma',
  'lambda',
  'clip',
  'valueCoefficient',
  'entropyCoefficient',
  'maxGradNorm',
  'seed',
  'onProgress',
  'until',
] as const;

function fail(option: string, what: string, fix: string): never {
  throw new InvalidValueError({ what, where: `trainPpo({ ${option} })`, fix });
}

function integer(value: unknown, option: string, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    fail(
      option,
      `${option} must be an integer ≥ ${min}, got ${describeStructure(value)}`,
      `Pass e.g. ${fallback}.`,
    );
  }
  return value;
}

function real(value: unknown, option: string, fallback: number, range: readonly [number, number]): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !(value >= range[0] && value <= range[1])) {
    fail(
      option,
      `${option} must be a number in [${range[0]}, ${range[1]}], got ${describeStructure(value)}`,
      `Pass e.g. ${fallback}.`,
    );
  }
  return value;
}

function checkCallback<F extends (...args: never[]) => unknown>(
  value: F | undefined,
  option: string,
): F | undefined {
  if (value !== undefined && typeof value !== 'function') {
    fail(
      option,
      `${option} must be a function, got ${describeStructure(value)}`,
      'Pass a function or leave it out.',
    );
  }
  return value;
}

/**
 * Checks {@link TrainPpoOptions} and fills in the defaults; a bad option is an `InvalidValueError` naming it,
 * thrown before anything runs.
 *
 * @example
 * const checked = checkPpoOptions({ makeEnv: () => new CartPole(), policy });
 */
export function checkPpoOptions(options: TrainPpoOptions): CheckedPpoOptions {
  checkOptionNames(
    options,
    names,
    { n_steps: 'Use steps (per environment).', batchSize: 'Use minibatchSize.' },
    'trainPpo',
  );
  const makeEnv = checkCallback(options.makeEnv as TrainPpoOptions['makeEnv'] | undefined, 'makeEnv');
  if (makeEnv === undefined) fail('makeEnv', 'trainPpo needs makeEnv', 'Pass makeEnv: () => new CartPole().');
  const policy = options.policy as unknown;
  if (typeof policy !== 'object' || policy === null || typeof (policy as ActorCritic).call !== 'function') {
    fail(
      'policy',
      `policy must be an ActorCritic, got ${describeStructure(policy)}`,
      'Pass new ActorCritic({ … }).',
    );
  }
  const anneal = options.annealLearningRate ?? true;
  if (typeof anneal !== 'boolean') {
    fail(
      'annealLearningRate',
      `annealLearningRate must be a boolean, got ${describeStructure(anneal)}`,
      'Pass true or false.',
    );
  }
  const seed = options.seed ?? 0;
  if (!Number.isInteger(seed))
    fail('seed', `seed must be an integer, got ${describeStructure(seed)}`, 'Pass e.g. 0.');
  return {
    makeEnv,
    policy: options.policy,
    updates: integer(options.updates, 'updates', 50, 1),
    envs: integer(options.envs, 'envs', 8, 1),
    steps: integer(options.steps, 'steps', 512, 1),
    epochs: integer(options.epochs, 'epochs', 10, 1),
    minibatchSize: integer(options.minibatchSize, 'minibatchSize', 256, 1),
    learningRate: real(options.learningRate, 'learningRate', 1e-3, [0, 1]),
    annealLearningRate: anneal,
    gamma: real(options.gamma, 'gamma', 0.99, [0, 1]),
    lambda: real(options.lambda, 'lambda', 0.95, [0, 1]),
    clip: real(options.clip, 'clip', 0.2, [0, 1]),
    valueCoefficient: real(options.valueCoefficient, 'valueCoefficient', 0.5, [0, Infinity]),
    entropyCoefficient: real(options.entropyCoefficient, 'entropyCoefficient', 0, [0, Infinity]),
    maxGradNorm: real(options.maxGradNorm, 'maxGradNorm', 0.5, [0, Infinity]),
    seed,
    onProgress: checkCallback(options.onProgress, 'onProgress'),
    until: checkCallback(options.until, 'until'),
  };
}
