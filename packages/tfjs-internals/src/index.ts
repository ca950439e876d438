// @tdhook/tfjs-internals: everything tdhook does with TF.js's private internals, in one place, checked
// against the installed tfjs-core before first use. See docs/decisions/0006-tfjs-internals.md. Tests of
// kernels import `runKernel` from `@tdhook/tfjs-internals/testing` (src/testing.ts).
export { TfjsInternalsError, type TfjsInternalsErrorCode, type TfjsInternalsErrorDetails } from './errors.js';
export { checkTfjsInternals, type TfjsInternalsReport } from './self-check.js';
export { supportedTfjsCore } from './supported-tfjs-core.js';

// The gradient tape
export { RecordedPass } from './recorded-pass.js';
export { isolatedGradients } from './isolated-gradients.js';
export { releaseAbandonedTape, withGradientCleanup } from './engine-tape.js';

// The kernel and gradient registries
export { findKernel, registerKernelPatch, type KernelWrapper } from './kernel-registry.js';
export {
  findGradient,
  registerGradientPatch,
  withGradientOverride,
  type GradientWrapper,
} from './gradient-registry.js';
export { compositeKernel, type CompositeInputs } from './composite-kernel.js';

// The engine's backend tables
export {
  activeBackendName,
  backendRegistration,
  initialisedBackend,
  type BackendRegistration,
} from './backend-registry.js';
