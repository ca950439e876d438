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
export { QNetwork, type QNetworkOptions, type QNetworkOutput } from './policies/q-network.js';
export { corridorPanel } from './corridor/panel.js';
export { corridorTransitions } from './corridor/transitions.js';
export { corridorPairs, encodeCorridorState } from './corridor/encode.js';
export {
  corridorClosedLoop,
  rollOutCorridor,
  type CorridorClosedLoopOptions,
  type CorridorRollouts,
} from './corridor/closed-loop.js';
export { fitQ, type FitQOptions, type FitQResult } from './training/fitted-q.js';
export {
  channelSteeringVector,
  type ChannelSteeringVectorOptions,
} from './methods/channel-steering-vector.js';
export {
  policyRollouts,
  rolloutConditions,
  rolloutOutputs,
  type ConfiguredPolicyRollouts,
  type PolicyRolloutsOptions,
} from './methods/policy-rollouts.js';
