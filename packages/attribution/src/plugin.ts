// @tdhook/attribution/plugin: the gradient engine tdhook's attribution methods are built on, for authors of
// new gradient methods (src/saliency.ts is a complete one). Users of the methods import from
// `@tdhook/attribution`. See docs/writing-a-method-plugin.md.

// A gradient method: shared options checked, targets and sources planned and bound, one runner
export {
  attributionKeyOf,
  attributionSources,
  bindGradientMethod,
  checkGradientOptions,
  chunkedPass,
  defaultAttributionKey,
  planGradientMethod,
  readModelBatch,
  type AttributionSource,
  type GradientBinding,
  type ModelBatch,
} from './gradient-method.js';
export {
  gradientRunner,
  publishAttributions,
  runGradientPass,
  type AttributionRule,
} from './gradient-runner.js';

// Lower level: one forward pass, a backward pass per target, module outputs captured
export {
  gradientPass,
  type GradientPass,
  type GradientPassOptions,
  type GradientSources,
} from './engine/gradient-pass.js';
export { captureSpecs, ModuleCaptures } from './engine/module-captures.js';

// Targets
export {
  checkTarget,
  listTargets,
  resolveTarget,
  targetSource,
  type ResolvedTarget,
  type TargetSource,
} from './targets.js';

// Building blocks of integrated gradients and the noise tunnel
export { checkQuadrature } from './integrated-gradients/quadrature.js';
export { aggregateSamples, gaussianNoise } from './noise-tunnel/aggregate.js';
