import type { KernelPatch } from './kernel-patch.js';

/**
 * Every patch @tdhook/backend installs by default, in installation order.
 *
 * @example
 * defaultPatches.map((patch) => patch.id);
 */
export const defaultPatches: readonly KernelPatch[] = [];
