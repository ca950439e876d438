// @tdhook/weights: weight-based interpretability. Pruning with exact restore, adapters spliced into a model
// (sparse autoencoders, transcoders) trained on cached activations, and task vectors. Browser-safe: nothing here
// touches the file system (stream disk shards with `@tdhook/probing/node`'s readActivationShards).

// Pruning
export { pruning } from './pruning/pruning.js';
export type {
  ConfiguredPruning,
  ConfiguredStructuredPruning,
  PruningOptions,
  SkipModule,
  StructuredPruning,
} from './pruning/pruning-options.js';
export {
  gradientImportance,
  magnitudeImportance,
  type GradientImportance,
  type GradientImportanceOptions,
  type ImportanceArgs,
  type ImportanceCallback,
} from './pruning/importance.js';
export {
  measureSparsity,
  type MeasureSparsityOptions,
  type ParameterSparsity,
  type SparsityReport,
} from './pruning/measure-sparsity.js';

// Task vectors
export {
  chooseAlpha,
  type AlphaTrial,
  type ChooseAlphaOptions,
  type ChosenAlpha,
} from './task-vectors/choose-alpha.js';
export { combineTaskVectors, forgetVector, taskVector } from './task-vectors/task-vector-arithmetic.js';
export { taskVectors, type TaskVectorsOptions } from './task-vectors/task-vectors-method.js';

// Adapters
// callAdapter and isAdapter stay internal: callAdapter's (to, where) arguments are the methods' error context.
export type { Adapter, AdapterContext } from './adapters/adapter.js';
export { type AdapterEntry, type ConfiguredAdapterEntry } from './adapters/adapter-entries.js';
export { adapters, type AdaptersOptions, type ConfiguredAdapters } from './adapters/adapters-method.js';
export {
  splicedEvaluation,
  type SplicedEvaluation,
  type SplicedEvaluationOptions,
  type SplicedMetric,
} from './adapters/spliced-evaluation.js';
export { nextTokenLoss, type NextTokenLossOptions } from './adapters/next-token-loss.js';

// Sparse autoencoders and transcoders
export { SparseAutoencoder, type SparseAutoencoderOptions } from './sae/sparse-autoencoder.js';
export { Transcoder, type TranscoderOptions } from './sae/transcoder.js';
export { SparseDictionary } from './sae/sparse-dictionary.js';
export type { SparseActivation } from './sae/sparse-activation.js';
export type { DictionaryData } from './sae/dictionary-data.js';
export { DictionaryTrainingError } from './sae/dictionary-training-error.js';
export { trainSparseAutoencoder } from './sae/train-sparse-autoencoder.js';
export { trainTranscoder } from './sae/train-transcoder.js';
export type {
  DictionaryTrainingOptions,
  SparseAutoencoderTrainingOptions,
  TrainingHistory,
  TrainingProgress,
  TranscoderTrainingOptions,
} from './sae/training-options.js';
export {
  dictionaryMetrics,
  type DictionaryMetrics,
  type DictionaryMetricsOptions,
} from './sae/dictionary-metrics.js';
