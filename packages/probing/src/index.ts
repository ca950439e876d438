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

// Probes

// Estimators and metrics

// Intrinsic dimension

// Representation similarity

// Dimension workflows
export * from './dimension-workflow/index.js';
