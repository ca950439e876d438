// @tdhook/weights: weight-based interpretability. Pruning with exact restore, adapters spliced into a model
// (sparse autoencoders, transcoders) trained on cached activations, and task vectors. Browser-safe: nothing here
// touches the file system (stream disk shards with `@tdhook/probing/node`'s readActivationShards).

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
