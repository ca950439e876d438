import { convAndPoolingPatches } from './conv-and-pooling-patches.js';
import { cpuFastSlicePatch, fastSlicePatch } from './fast-slice.js';
import { cpuFastTilePatch, fastTilePatch } from './fast-tile.js';
import type { KernelPatch } from './kernel-patch.js';
import { matmulAndGradientPatches } from './matmul-and-gradient-patches.js';

/**
 * Every patch @tdhook/backend installs by default, in installation order; each applies only to the backends
 * it lists.
 *
 * @example
 * defaultPatches.map((patch) => `${patch.id}: ${patch.summary}`);
 */
export const defaultPatches: readonly KernelPatch[] = [
  ...convAndPoolingPatches,
  ...matmulAndGradientPatches,
  fastSlicePatch,
  cpuFastSlicePatch,
  fastTilePatch,
  cpuFastTilePatch,
];
