// @tdhook/probing: the read side of latent interpretability. Activation caching (in memory; to disk through
// `@tdhook/probing/node`), probes and estimators, intrinsic dimension, representation similarity, and the
// operators that compose them in a Workflow. Browser-safe: nothing here touches the file system.

// Estimators: the shared contract
export type { Classifier, Estimator, LinearModel, PairEstimator } from './estimators/estimator.js';

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
export { BilinearProbe, type BilinearProbeStep } from './probes/bilinear-probe.js';
export { BilinearProbeManager } from './probes/bilinear-probe-manager.js';
export { notContainer, type ModuleFilter } from './probes/module-selection.js';
export {
  flattenRows,
  Probe,
  type Preprocess,
  type ProbeCallback,
  type ProbeOptions,
} from './probes/probe.js';
export { ProbeManager, type ProbeManagerOptions } from './probes/probe-manager.js';
export type { ComputeMetrics } from './probes/probe-results.js';
export { checkStepType, type ProbeLike, type ProbeStep, type StepType } from './probes/probe-step.js';
export {
  probing,
  type ConfiguredProbing,
  type ProbeFactory,
  type ProbingDirection,
  type ProbingOptions,
} from './probes/probing-method.js';
export {
  bilinearEstimator,
  type BilinearOptions,
  type TrainedPairEstimator,
} from './probes/trained/bilinear-estimator.js';
export {
  linearProbe,
  type LinearProbeOptions,
  type TrainedEstimator,
} from './probes/trained/linear-probe.js';
export { lowRankBilinearEstimator } from './probes/trained/low-rank-bilinear-estimator.js';
export type { TrainingOptions, TrainingProgress } from './probes/trained/training-options.js';

// Estimators and metrics
export {
  meanDifferenceClassifier,
  type MeanDifferenceClassifier,
  type MeanDifferenceOptions,
} from './estimators/mean-difference-classifier.js';
export {
  logisticRegression,
  type LogisticRegression,
  type LogisticRegressionOptions,
} from './estimators/logistic-regression.js';
export { chooseSolver, type LogisticSolver } from './estimators/solver-choice.js';
export { ridgeRegression, type RidgeRegressionOptions } from './estimators/ridge-regression.js';
export { linearRegression } from './estimators/linear-regression.js';
export type { LinearRegressor } from './estimators/linear-regressor.js';
export { accuracy, balancedAccuracy, f1Score, type F1Options } from './metrics/classification-metrics.js';
export { rocAuc } from './metrics/roc-auc.js';
export { meanSquaredError, r2Score } from './metrics/regression-metrics.js';
export type { MetricInput } from './metrics/metric-values.js';
export { kFoldSplits, type FoldSplit, type KFoldOptions } from './cross-validation/k-fold-splits.js';
export {
  crossValidate,
  type CrossValidateOptions,
  type CrossValidationMetric,
  type CrossValidationResult,
  type FoldResult,
} from './cross-validation/cross-validate.js';

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
export * from './dimension-workflow/index.js';
