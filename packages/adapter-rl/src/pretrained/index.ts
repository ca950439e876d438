// @tdhook/adapter-rl/pretrained: policies trained by the scripts in scripts/, weights committed.
export { corridorPolicy } from './corridor-policy.js';
export { corridorQWeights } from './corridor-q.js';
export {
  encodeQNetworkParameters,
  loadQNetworkWeights,
  type EncodedParameter,
  type QNetworkWeights,
} from './corridor-weights.js';
