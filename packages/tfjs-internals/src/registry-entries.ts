// Reading and writing single kernel and gradient registry entries through tfjs-core's public functions, as
// pinned layers (registry-pins.ts). Unchecked: the public functions in kernel-registry.ts and
// gradient-registry.ts run the self-check first.
import * as tf from '@tensorflow/tfjs-core';

import { kernelKey } from './global-registries.js';
import { pushLayer, type LayerBuild } from './registry-pins.js';

/** `tf.getKernel` as it behaves: undefined when there is none (tfjs types it as always found). */
export const readKernel = (kernelName: string, backendName: string): tf.KernelConfig | undefined =>
  tf.getKernel(kernelName, backendName);

/** `tf.getGradient` as it behaves: undefined when there is none. */
export const readGradient = (kernelName: string): tf.GradConfig | undefined => tf.getGradient(kernelName);

/** Layers `build` over the kernel `kernelName` of `backendName`; returns the undo. */
export function pushKernelLayer(
  kernelName: string,
  backendName: string,
  build: LayerBuild<tf.KernelConfig>,
): () => void {
  return pushLayer(
    'kernelRegistry',
    kernelKey(kernelName, backendName),
    {
      read: () => readKernel(kernelName, backendName),
      write: (config) => {
        // Unregister first: registering over an existing kernel logs a warning.
        if (readKernel(kernelName, backendName) !== undefined) tf.unregisterKernel(kernelName, backendName);
        if (config !== undefined) tf.registerKernel(config);
      },
    },
    build,
  );
}

/** Layers `build` over the gradient of `kernelName`; returns the undo. */
export function pushGradientLayer(kernelName: string, build: LayerBuild<tf.GradConfig>): () => void {
  return pushLayer(
    'gradRegistry',
    kernelName,
    {
      read: () => readGradient(kernelName),
      write: (config) => {
        // Unregister first: registering over an existing gradient warns in tfjs's debug mode, and here the
        // override is the point (no console.warn needs silencing).
        if (readGradient(kernelName) !== undefined) tf.unregisterGradient(kernelName);
        if (config !== undefined) tf.registerGradient(config);
      },
    },
    build,
  );
}
