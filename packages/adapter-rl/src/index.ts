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
export { CartPole, type CartPoleOptions } from './env/cartpole.js';
export type { CartPoleState } from './env/cartpole-physics.js';
export { Corridor, type CorridorOptions } from './env/corridor.js';
export { Linear, type LinearOptions } from './modules/linear.js';
export {
  ActorCritic,
  type ActorCriticActivation,
  type ActorCriticOptions,
  type ActorCriticOutput,
} from './policies/actor-critic.js';
export { rollout } from './rollout/rollout.js';
export type {
  RolloutExplore,
  RolloutOptions,
  RolloutProgress,
  RolloutWorkflowSchedule,
} from './rollout/rollout-options.js';
export { episodeStats, type EpisodeStats } from './rollout/episode-stats.js';
export { QNetwork, type QNetworkOptions, type QNetworkOutput } from './policies/q-network.js';
export { corridorPanel } from './corridor/panel.js';
export { corridorTransitions } from './corridor/transitions.js';
export {
  corridorClosedLoop,
  type CorridorClosedLoopOptions,
  type CorridorRollouts,
} from './corridor/closed-loop.js';
export { fitQ, type FitQOptions, type FitQProgress, type FitQResult } from './training/fitted-q.js';
export {
  channelSteeringVector,
  type ChannelSteeringVectorOptions,
} from './methods/channel-steering-vector.js';
export {
  policyRollouts,
  type ConfiguredPolicyRollouts,
  type PolicyRolloutsOptions,
} from './methods/policy-rollouts.js';
export {
  generalizedAdvantages,
  type AdvantageDiscount,
  type AdvantageInput,
  type Advantages,
} from './training/ppo-advantages.js';
export {
  ppoLoss,
  type PpoLossCoefficients,
  type PpoLossTerms,
  type PpoMinibatch,
} from './training/ppo-loss.js';
export {
  attributionOverTime,
  type AttributionOverTimeOptions,
  type VariableSeries,
} from './rollout/attribution-over-time.js';
export { trainPpo, type PpoResult } from './training/ppo.js';
export type { PpoProgress, TrainPpoOptions } from './training/ppo-options.js';
export {
  evaluatePolicy,
  type EvaluatePolicyOptions,
  type PolicyEvaluation,
} from './training/evaluate-policy.js';
export {
  loadPolicyWeights,
  policyWeightsToJSON,
  type PolicyWeightsJSON,
  type PolicyWeightsOptions,
} from './io/policy-weights.js';
