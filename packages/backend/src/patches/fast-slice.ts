import * as tf from '@tensorflow/tfjs-core';

import { findKernel, registerKernelPatch } from '@tdhook/tfjs-internals';

import type { KernelPatch } from './kernel-patch.js';

// What the wasm backend offers a kernel; tfjs types it as `{}`.
interface WasmBackend {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): tf.backend_util.TypedArray;
}

interface SliceAttrs {
  readonly begin: number | number[];
  readonly size: number | number[];
}

/**
 * Copies the slice `[begin, begin + size)` of `x` (row-major, `shape`) into `out`, one run of the last axis at
 * a time (the whole slice at once where it is contiguous).
 */
function copySlice(
  x: tf.backend_util.TypedArray,
  shape: readonly number[],
  begin: readonly number[],
  size: readonly number[],
  out: tf.backend_util.TypedArray,
): void {
  const rank = shape.length;
  const strides = tf.util.computeStrides([...shape]);
  if (tf.slice_util.isSliceContinous([...shape], [...begin], [...size])) {
    const start = tf.slice_util.computeFlatOffset([...begin], strides);
    out.set(x.subarray(start, start + out.length));
    return;
  }
  const run = size[rank - 1] ?? 1;
  const outer = size.slice(0, -1);
  const index = outer.map(() => 0);
  for (let offset = 0; offset < out.length; offset += run) {
    let start = begin[rank - 1] ?? 0;
    index.forEach((position, axis) => (start += ((begin[axis] ?? 0) + position) * (strides[axis] ?? 0)));
    out.set(x.subarray(start, start + run), offset);
    // Next position of the outer axes, last axis fastest.
    for (let axis = outer.length - 1; axis >= 0; axis--) {
      index[axis] = (index[axis] ?? 0) + 1;
      if ((index[axis] ?? 0) < (outer[axis] ?? 0)) break;
      index[axis] = 0;
    }
  }
}

function fastSliceKernel(stock: tf.KernelFunc): tf.KernelFunc {
  return (params) => {
    const { x } = params.inputs;
    // Strings and empty slices as stock does them.
    if (x === undefined || x.dtype === 'string') return stock(params);
    const attrs = params.attrs as unknown as SliceAttrs;
    const [begin = [], size = []] = tf.slice_util.parseSliceParams(x, attrs.begin, attrs.size);
    if (size.some((dim) => dim === 0)) return stock(params);
    const backend = params.backend as WasmBackend;
    const out = backend.makeOutput(size, x.dtype);
    // Views on the wasm heap: stock's readSync copies the whole input first, on every call.
    copySlice(backend.typedArrayFromHeap(x), x.shape, begin, size, backend.typedArrayFromHeap(out));
    return out;
  };
}

function selfTestRun(): tf.Tensor[] {
  const x = tf.reshape(tf.range(0, 2 * 3 * 4 * 5, 1, 'float32'), [2, 3, 4, 5]);
  const ids = tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3], 'int32');
  return [
    tf.slice(x, [1, 0, 1, 2], [1, 3, 2, 3]),
    tf.slice(x, [0, 1, 0, 0], [2, 1, 4, 5]),
    tf.slice(x, [1, 2], [1, 1]),
    tf.slice(tf.reshape(x, [120]), [7], [9]),
    tf.cast(tf.slice(ids, [0, 1], [2, 2]), 'float32'),
  ];
}

/**
 * A faster wasm Slice. Stock wasm's kernel reads its input with `readSync`, which copies the whole tensor out
 * of the wasm heap before slicing, on every call: cutting one column out of a `[64, 128]` activation costs as
 * much as copying it. This kernel copies the slice straight from a heap view, one run of the last axis at a
 * time. Every `selectUnits` and `replaceUnits` (HookSession captures and replaces, the methods' Target units)
 * slices: with it a replace on a `[64, 128]` activation costs about as much as the one-hot-mask arithmetic a
 * user writes inline. Same values; its self-test checks 1-D to 4-D, contiguous and strided slices against the
 * stock cpu backend.
 *
 * @example
 * const undo = fastSlicePatch.install('wasm');
 * tf.slice(activation, [0, 2], [-1, 1]); // no copy of the whole activation first
 * undo();
 */
export const fastSlicePatch: KernelPatch = {
  id: 'wasm/Slice',
  backends: ['wasm'],
  kind: 'fast-kernel',
  summary: 'Slice from a view of the wasm heap instead of a copy of the whole input (stock readSync)',
  install(backend) {
    if (findKernel('Slice', backend) === undefined)
      throw new Error(`The ${backend} backend has no Slice kernel to speed up`);
    return registerKernelPatch({
      kernelName: 'Slice',
      backendName: backend,
      wrap: (stock) => ({ ...stock, kernelFunc: fastSliceKernel(stock.kernelFunc) }),
    });
  },
  selfTest: { run: selfTestRun, tolerance: 0 },
};
