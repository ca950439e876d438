import type * as tf from '@tensorflow/tfjs-core';

import { findKernel, registerKernelPatch } from '@tdhook/tfjs-internals';

import type { KernelPatch, PatchableBackend } from './kernel-patch.js';

/** What the wasm backend offers a kernel (tfjs types it as `{}`): outputs allocated on its heap, and views of it. */
export interface WasmKernelBackend {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): tf.backend_util.TypedArray;
}

/** What the cpu backend offers a kernel (tfjs types it as `{}`): its values by data id, and new outputs. */
export interface CpuKernelBackend {
  data: { get(dataId: tf.DataId): { values?: tf.backend_util.BackendValues } };
  makeTensorInfo(shape: number[], dtype: tf.DataType, values: tf.backend_util.TypedArray): tf.TensorInfo;
}

/** The dtypes the fast copy kernels handle; strings and complex numbers stay stock's. */
export const copyableDtypes: ReadonlySet<tf.DataType> = new Set<tf.DataType>(['float32', 'int32', 'bool']);

/**
 * A `fast-kernel` patch of `kernelName` on one backend, everything but its self-test: installing it wraps the
 * stock kernel with `kernel(stock, backend)` (which falls back to `stock` for what it does not handle), and
 * refuses a backend that has no such kernel.
 *
 * @example
 * const patch: KernelPatch = {
 *   ...fastKernelPatch('Tile', 'wasm', 'Tile by contiguous slabs', fastTileKernel),
 *   selfTest: { run: selfTestRun, tolerance: 0 },
 * };
 */
export function fastKernelPatch(
  kernelName: string,
  backend: PatchableBackend,
  summary: string,
  kernel: (stock: tf.KernelFunc, backend: PatchableBackend) => tf.KernelFunc,
): Pick<KernelPatch, 'id' | 'backends' | 'kind' | 'summary' | 'install'> {
  return {
    id: `${backend}/${kernelName}`,
    backends: [backend],
    kind: 'fast-kernel',
    summary,
    install(name) {
      if (findKernel(kernelName, name) === undefined) {
        throw new Error(`The ${name} backend has no ${kernelName} kernel to speed up`);
      }
      return registerKernelPatch({
        kernelName,
        backendName: name,
        wrap: (stock) => ({ ...stock, kernelFunc: kernel(stock.kernelFunc, name) }),
      });
    },
  };
}
