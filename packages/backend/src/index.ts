export { backendNames, loadBackend, type BackendName } from './backend-loaders.js';
export { startWasmWithThreads, stopWasmThreads } from './wasm-threads.js';
export { BackendUnavailableError } from './backend-unavailable-error.js';
export { BackendCapabilityError, type BackendCapabilityDetails } from './patches/backend-capability-error.js';
export { registerTfjsGradients } from './gradients/register-tfjs-gradients.js';
export {
  formatBackendReport,
  initBackend,
  type BackendReport,
  type InitBackendOptions,
} from './init-backend.js';
export { defaultPatches } from './patches/default-patches.js';
export {
  installedPatchIds,
  installPatches,
  restorePatches,
  type InstallPatchesOptions,
  type PatchReport,
} from './patches/install-patches.js';
export type { KernelPatch, PatchableBackend, PatchSelfTest } from './patches/kernel-patch.js';
// For writing patches: the registry functions live with the other TF.js internals in @tdhook/tfjs-internals.
export {
  compositeKernel,
  registerGradientPatch,
  registerKernelPatch,
  type CompositeInputs,
} from '@tdhook/tfjs-internals';
