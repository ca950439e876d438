// @tdhook/probing: the read side of latent interpretability. Activation caching (in memory; to disk through
// `@tdhook/probing/node`), probes and estimators, intrinsic dimension, representation similarity, and the
// operators that compose them in a Workflow. Browser-safe: nothing here touches the file system.

// Estimators: the shared contract
export type { Classifier, Estimator, PairEstimator } from './estimators/estimator.js';

// Activation caching
export { activationCaching } from './caching/activation-caching.js';
export { ActivationCache } from './caching/activation-cache.js';
export type { ConfiguredActivationCaching } from './caching/cache-configure.js';
export type {
  ActivationCachingOptions,
  CacheCallback,
  CacheCallbackContext,
  CacheDirection,
  CacheObjective,
  CacheSelection,
} from './caching/cache-options.js';
export { cacheDataset, type CacheDatasetOptions, type CacheProgress } from './caching/cache-dataset.js';
export type { ActivationSink, ActivationSinkConfig } from './caching/activation-sink.js';
export { memoryActivationSink } from './caching/memory-sink.js';

// Probes

// Estimators and metrics

// Intrinsic dimension
export { caPca, caPcaScore, type CaPcaOptions } from './dimension/ca-pca.js';
export {
  caPcaEstimator,
  localKnnEstimator,
  localPcaEstimator,
  twoNnEstimator,
  type DimensionEstimatorKeys,
} from './dimension/dimension-estimators.js';
export { localKnn, type LocalKnnOptions } from './dimension/local-knn.js';
export { localPca, type LocalPcaOptions } from './dimension/local-pca.js';
export { explainedVariance, maxGapDimension, ratioDimension } from './dimension/pca-spectrum.js';
export { twoNn, type TwoNnOptions, type TwoNnResult } from './dimension/two-nn.js';
export type { EstimatorOperator, SingleInputEstimatorOperator } from './geometry/estimator-operator.js';
export type { NeighbourCount } from './geometry/neighbour-count.js';

// Representation similarity
export { cka, type CkaOptions } from './similarity/cka.js';
export {
  informationImbalance,
  type InformationImbalanceOptions,
  type InformationImbalanceResult,
} from './similarity/information-imbalance.js';
export {
  ckaEstimator,
  informationImbalanceEstimator,
  type CkaEstimatorOptions,
  type InformationImbalanceEstimatorOptions,
  type PairEstimatorOperator,
} from './similarity/similarity-estimators.js';

// Dimension workflows
