import * as tf from '@tensorflow/tfjs-core';

/**
 * `tf.getKernel`, typed as it behaves: undefined when the backend has no such kernel (tfjs types it as always found).
 *
 * @example
 * findKernel('Conv2DBackpropFilter', 'wasm'); // undefined on stock wasm
 */
export const findKernel = tf.getKernel as (
  kernelName: string,
  backendName: string,
) => tf.KernelConfig | undefined;

/**
 * `tf.getGradient`, typed as it behaves: undefined when no gradient is registered for the kernel.
 *
 * @example
 * findGradient('Greater'); // undefined until the comparison-gradient patch is installed
 */
export const findGradient = tf.getGradient as (kernelName: string) => tf.GradConfig | undefined;

/**
 * Registers `config` in place of whatever kernel `backendName` has for `kernelName` (if any), and returns
 * the undo that puts the original back. The original's `setupFunc` is kept when the patch has none, because
 * native wasm kernels set themselves up when the backend starts.
 *
 * @example
 * const undo = registerKernelPatch({ kernelName: 'UnsortedSegmentSum', backendName: 'wasm', kernelFunc });
 */
export function registerKernelPatch(config: tf.KernelConfig): () => void {
  const original = findKernel(config.kernelName, config.backendName);
  if (original !== undefined) tf.unregisterKernel(config.kernelName, config.backendName);
  const setupFunc = config.setupFunc ?? original?.setupFunc;
  tf.registerKernel({ ...config, ...(setupFunc === undefined ? {} : { setupFunc }) });
  return () => {
    tf.unregisterKernel(config.kernelName, config.backendName);
    if (original !== undefined) tf.registerKernel(original);
  };
}

/**
 * Registers a gradient (for every backend) in place of the current one, and returns the undo.
 *
 * @example
 * const undo = registerGradientPatch({ kernelName: 'Greater', inputsToSave: ['a', 'b'], gradFunc });
 */
export function registerGradientPatch(config: tf.GradConfig): () => void {
  const original = findGradient(config.kernelName);
  // registerGradient warns when it overrides; the override is the point here.
  const warn = console.warn;
  console.warn = () => undefined;
  try {
    tf.registerGradient(config);
  } finally {
    console.warn = warn;
  }
  return () => {
    if (original === undefined) {
      tf.unregisterGradient(config.kernelName);
      return;
    }
    console.warn = () => undefined;
    try {
      tf.registerGradient(original);
    } finally {
      console.warn = warn;
    }
  };
}
