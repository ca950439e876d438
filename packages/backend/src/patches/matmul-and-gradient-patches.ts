import { fastBatchMatMulPatch } from './batch-mat-mul.js';
import { broadcastMatMulGradientPatch, comparisonGradientsPatch } from './gradient-fixes.js';
import type { KernelPatch } from './kernel-patch.js';
import { wrongKernelGuards } from './wrong-kernel-guards.js';

/**
 * The matmul and gradient patches, in install order: the fast wasm BatchMatMul, the broadcast-reducing
 * BatchMatMul gradient and the comparison zero gradients (both global: installing them for wasm and cpu
 * registers them once), then the wasm guards that turn wrong 3-D conv/pool kernels into clear errors.
 *
 * @example
 * const undos = matmulAndGradientPatches
 *   .filter((patch) => patch.backends.includes('wasm'))
 *   .map((patch) => patch.install('wasm'));
 */
export const matmulAndGradientPatches: readonly KernelPatch[] = [
  fastBatchMatMulPatch,
  broadcastMatMulGradientPatch,
  comparisonGradientsPatch,
  ...wrongKernelGuards,
];
