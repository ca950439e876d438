// @tdhook/attribution: the attribution methods, their options and the types of what they return. The
// gradient engine they are built on, for authors of new gradient methods, is in `@tdhook/attribution/plugin`
// (src/plugin.ts).
export { AttributionError } from './errors.js';
export type { TargetStrategy } from './engine/gradient-pass.js';
export type {
  GradientAttributionOptions,
  OutputGradient,
  OutputGradientFromData,
} from './gradient-method.js';
export { saliency, type ConfiguredSaliencyOptions, type SaliencyOptions } from './saliency.js';
export type { AttributionTarget, TargetSelect } from './targets.js';
export * from './integrated-gradients/index.js';
export * from './noise-tunnel/index.js';
export * from './guided-backprop/index.js';
export * from './grad-cam/index.js';
export * from './lrp/index.js';
export * from './activation-maximisation/index.js';
export * from './metrics/index.js';
export * from './concepts/index.js';
