// @tdhook/backend: pick and start the TF.js runtime, register gradients, install the kernel patches, and
// report what was done. Writing or installing patches by hand is `@tdhook/backend/patches` (src/patches.ts).
export { backendNames, type BackendName } from './backend-loaders.js';
export { stopWasmThreads } from './wasm-threads.js';
export { BackendUnavailableError } from './backend-unavailable-error.js';
export { BackendCapabilityError, type BackendCapabilityDetails } from './patches/backend-capability-error.js';
export { registerTfjsGradients } from './gradients/register-tfjs-gradients.js';
export {
  formatBackendReport,
  initBackend,
  type BackendReport,
  type SkippedBackend,
  type InitBackendOptions,
} from './init-backend.js';
export { installedPatchIds, restorePatches, type PatchReport } from './patches/install-patches.js';
// The type of BackendReport.internals; the self-check itself lives in @tdhook/tfjs-internals.
export type { TfjsInternalsReport } from '@tdhook/tfjs-internals';
