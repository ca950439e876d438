import { InvalidValueError, type ModelNode } from '@tdhook/core';
import { checkOptionNames } from '@tdhook/core/plugin';

import type { Environment } from '../env/environment.js';
import { episodeStats } from '../rollout/episode-stats.js';
import { rollout } from '../rollout/rollout.js';

/**
 * Options of {@link evaluatePolicy}.
 *
 * @example
 * const options: EvaluatePolicyOptions = { episodes: 100, seed: 0 };
 */
export interface EvaluatePolicyOptions {
  /** Episodes, one per environment, run side by side. Default 100. */
  readonly episodes?: number;
  /** Episode i starts from `reset({ seed: seed + i })`. Default 0. */
  readonly seed?: number;
}

/**
 * What {@link evaluatePolicy} measured: each episode's return and their mean.
 *
 * @example
 * const { meanReturn, returns }: PolicyEvaluation = evaluatePolicy(() => new CartPole(), policy);
 */
export interface PolicyEvaluation {
  readonly meanReturn: number;
  readonly returns: readonly number[];
}

/**
 * Runs `episodes` seeded episodes with the policy's greedy action (its `action` output), all at once as one
 * batched {@link rollout}, and returns their returns: how the CartPole policy's "average return ≥ 475 over 100
 * evaluation episodes" is measured.
 *
 * @example
 * const { meanReturn } = evaluatePolicy(() => new CartPole(), cartPolePolicy(), { episodes: 100, seed: 0 });
 */
export function evaluatePolicy(
  makeEnv: (index: number) => Environment,
  policy: ModelNode,
  options: EvaluatePolicyOptions = {},
): PolicyEvaluation {
  checkOptionNames(options, ['episodes', 'seed'], {}, 'evaluatePolicy');
  const episodes = options.episodes ?? 100;
  const seed = options.seed ?? 0;
  if (!Number.isInteger(episodes) || episodes < 1) {
    throw new InvalidValueError({
      what: `episodes must be a positive integer, got ${String(episodes)}`,
      where: 'evaluatePolicy options.episodes',
      fix: 'Pass e.g. episodes: 100.',
    });
  }
  const envs = Array.from({ length: episodes }, (_, index) => makeEnv(index));
  using trajectory = rollout(envs, policy, { episodes: 1, explore: 'policy', seed });
  const { returns } = episodeStats(trajectory);
  return { meanReturn: returns.reduce((sum, r) => sum + r, 0) / returns.length, returns };
}
