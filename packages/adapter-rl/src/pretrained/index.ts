// @tdhook/adapter-rl/pretrained: policies trained by the scripts in scripts/, weights committed.
export { corridorPolicy } from './corridor-policy.js';
export { corridorQWeights } from './corridor-q.js';
export {
  encodeQNetworkParameters,
  loadQNetworkWeights,
  type EncodedParameter,
  type QNetworkWeights,
} from './corridor-weights.js';
export { cartPolePolicy } from './cartpole-policy.js';
export { cartPolePpoArchitecture, cartPolePpoTraining, cartPolePpoWeights } from './cartpole-ppo-weights.js';
