export { AttributionError } from './errors.js';
export {
  gradientPass,
  type GradientPass,
  type GradientPassOptions,
  type GradientSources,
  type TargetStrategy,
} from './engine/gradient-pass.js';
export { captureSpecs, ModuleCaptures } from './engine/module-captures.js';
export {
  attributionKeyOf,
  attributionSources,
  defaultAttributionKey,
  bindGradientMethod,
  checkGradientOptions,
  chunkedPass,
  planGradientMethod,
  readModelBatch,
  type AttributionSource,
  type GradientAttributionOptions,
  type GradientBinding,
  type ModelBatch,
  type OutputGradient,
  type OutputGradientFromData,
} from './gradient-method.js';
export {
  gradientRunner,
  publishAttributions,
  runGradientPass,
  type AttributionRule,
} from './gradient-runner.js';
export { saliency, type SaliencyOptions } from './saliency.js';
export {
  checkTarget,
  listTargets,
  resolveTarget,
  targetSource,
  type AttributionTarget,
  type ResolvedTarget,
  type TargetSelect,
  type TargetSource,
} from './targets.js';
export * from './integrated-gradients/index.js';
export * from './noise-tunnel/index.js';
export * from './guided-backprop/index.js';
export * from './grad-cam/index.js';
export * from './lrp/index.js';
export * from './activation-maximisation/index.js';
export * from './metrics/index.js';
export * from './concepts/index.js';
