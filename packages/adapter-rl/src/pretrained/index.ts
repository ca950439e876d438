// @tdhook/adapter-rl/pretrained: policies trained by the scripts in scripts/, weights committed. Each is a new
// module per call (the caller disposes it); its architecture and how it was trained are exported beside it.
export { cartPolePolicy } from './cartpole-policy.js';
export { cartPolePpoArchitecture, cartPolePpoTraining } from './cartpole-ppo-weights.js';
export { corridorPolicy } from './corridor-policy.js';
export { corridorQArchitecture, corridorQTraining } from './corridor-q.js';
