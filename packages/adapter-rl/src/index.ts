// @tdhook/adapter-rl: environments, policies, rollouts and the interpretability of policies.
export type {
  BoxSpace,
  DiscreteSpace,
  Environment,
  ResetOptions,
  ResetResult,
  RgbaImage,
  StepInfo,
  StepResult,
} from './env/environment.js';
export { Linear, type LinearOptions } from './modules/linear.js';
export {
  ActorCritic,
  type ActorCriticActivation,
  type ActorCriticOptions,
  type ActorCriticOutput,
} from './policies/actor-critic.js';
export { rollout } from './rollout/rollout.js';
export type { RolloutExplore, RolloutOptions, RolloutProgress } from './rollout/rollout-options.js';
export { episodeStats, type EpisodeStats } from './rollout/episode-stats.js';
