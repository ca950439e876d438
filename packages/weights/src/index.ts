// @tdhook/weights: weight-based interpretability. Pruning with exact restore, adapters spliced into a model
// (sparse autoencoders, transcoders) trained on cached activations, and task vectors. Browser-safe: nothing here
// touches the file system (stream disk shards with `@tdhook/probing/node`'s readActivationShards).

// Task vectors
export {
  chooseAlpha,
  type AlphaTrial,
  type ChooseAlphaOptions,
  type ChosenAlpha,
} from './task-vectors/choose-alpha.js';
export { combineTaskVectors, forgetVector, taskVector } from './task-vectors/task-vector-arithmetic.js';
export { taskVectors, type TaskVectorsOptions } from './task-vectors/task-vectors-method.js';
