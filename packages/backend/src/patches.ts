// @tdhook/backend/patches: for writing kernel patches and installing a chosen set by hand (initBackend
// installs the default ones). Users who only start a backend import from `@tdhook/backend`.
export type { KernelPatch, PatchableBackend, PatchSelfTest } from './patches/kernel-patch.js';
export { defaultPatches } from './patches/default-patches.js';
export { installPatches, type InstallPatchesOptions } from './patches/install-patches.js';
// The registry functions patches are written with live with the other TF.js internals in
// @tdhook/tfjs-internals; re-exported here so that a patch needs one import.
export {
  compositeKernel,
  registerGradientPatch,
  registerKernelPatch,
  type CompositeInputs,
} from '@tdhook/tfjs-internals';
