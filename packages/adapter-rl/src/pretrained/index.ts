// @tdhook/adapter-rl/pretrained: policies trained here, with their weights committed as TypeScript modules.
export { cartPolePolicy } from './cartpole-policy.js';
export { cartPolePpoArchitecture, cartPolePpoTraining, cartPolePpoWeights } from './cartpole-ppo-weights.js';
