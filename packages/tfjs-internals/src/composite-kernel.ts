import * as tf from '@tensorflow/tfjs-core';

import { engine } from './engine-access.js';

/**
 * The inputs of a composite kernel as tensors, by the kernel's input names.
 *
 * @example
 * compositeKernel(({ x, dy }: CompositeInputs) => tf.mul(x ?? dy, 2));
 */
export type CompositeInputs = Record<string, tf.Tensor>;

/**
 * Builds a kernel function from ordinary tf ops. Inside a kernel the gradient tape is off, so the ops do not
 * pollute gradients. The inputs are wrapped as tensors (`makeTensorFromTensorInfo` of the engine) after an
 * `incRef` of their data, otherwise disposing the wrappers would free the caller's data; the result's data
 * is kept past the tidy and handed back as the kernel's output.
 *
 * @example
 * const kernelFunc = compositeKernel(({ x }) => tf.mul(x, 2));
 * const undo = registerKernelPatch({ kernelName: 'Neg', backendName: 'cpu', kernelFunc });
 */
export function compositeKernel(
  fn: (inputs: CompositeInputs, attrs: tf.NamedAttrMap) => tf.Tensor,
): tf.KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const owner = backend as { incRef(dataId: tf.DataId): void };
    const current = engine();
    let output: tf.TensorInfo | undefined;
    tf.tidy(() => {
      const wrapped: CompositeInputs = {};
      for (const [name, info] of Object.entries(inputs)) {
        if (info === undefined) continue;
        owner.incRef(info.dataId);
        wrapped[name] = current.makeTensorFromTensorInfo(info);
      }
      const result = fn(wrapped, attrs ?? {});
      owner.incRef(result.dataId);
      output = { dataId: result.dataId, shape: result.shape, dtype: result.dtype };
    });
    if (output === undefined) throw new Error('composite kernel produced no output');
    return output;
  };
}
