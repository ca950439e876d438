import type * as tf from '@tensorflow/tfjs-core';

import { TfjsInternalsError } from './errors.js';
import { pushKernelLayer, readKernel } from './registry-entries.js';
import { requireInternals } from './self-check.js';

/**
 * A kernel patch built from the kernel it replaces, e.g. to call it in some cases. It is rebuilt if that
 * kernel is registered again later (by a second copy of the backend, say), so it always wraps the current one.
 *
 * @example
 * const guard: KernelWrapper = {
 *   kernelName: 'MaxPool3D',
 *   backendName: 'wasm',
 *   wrap: (stock) => ({ ...stock, kernelFunc: (args) => stock.kernelFunc(args) }),
 * };
 */
export interface KernelWrapper {
  readonly kernelName: string;
  readonly backendName: string;
  readonly wrap: (below: tf.KernelConfig) => tf.KernelConfig;
}

/**
 * `tf.getKernel`, typed as it behaves: undefined when the backend has no such kernel (tfjs types it as
 * always found).
 *
 * @example
 * findKernel('Conv2DBackpropFilter', 'wasm'); // undefined on stock wasm
 */
export function findKernel(kernelName: string, backendName: string): tf.KernelConfig | undefined {
  requireInternals('registries');
  return readKernel(kernelName, backendName);
}

/**
 * Registers a kernel in place of whatever `backendName` has for `kernelName` (if anything), and returns the
 * undo. The replaced kernel's `setupFunc` is kept when the patch has none, because native wasm kernels set
 * themselves up when the backend starts. The patch stays registered if the kernel is registered again later
 * (the newcomer goes underneath and is what the undo puts back); patches stack and may be undone in any
 * order. A {@link KernelWrapper} is built from the kernel below it, which must exist.
 *
 * @example
 * const undo = registerKernelPatch({ kernelName: 'UnsortedSegmentSum', backendName: 'wasm', kernelFunc });
 * undo(); // the stock kernel again
 */
export function registerKernelPatch(patch: tf.KernelConfig | KernelWrapper): () => void {
  requireInternals('registries');
  const { kernelName, backendName } = patch;
  if ('wrap' in patch && readKernel(kernelName, backendName) === undefined) {
    throw new TfjsInternalsError({
      code: 'E_TFJS_NOT_REGISTERED',
      what: `No ${kernelName} kernel is registered for the ${backendName} backend to wrap`,
      where: 'registerKernelPatch',
      fix: `Load the ${backendName} backend before patching its kernels.`,
    });
  }
  return pushKernelLayer(kernelName, backendName, (below) => {
    if ('wrap' in patch && below === undefined) return undefined;
    const config = 'wrap' in patch ? patch.wrap(below as tf.KernelConfig) : patch;
    const setupFunc = config.setupFunc ?? below?.setupFunc;
    return { ...config, kernelName, backendName, ...(setupFunc === undefined ? {} : { setupFunc }) };
  });
}
