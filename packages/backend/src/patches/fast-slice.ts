import * as tf from '@tensorflow/tfjs-core';

import {
  copyableDtypes,
  fastKernelPatch,
  type CpuKernelBackend,
  type WasmKernelBackend,
} from './fast-kernel.js';
import type { KernelPatch, PatchableBackend } from './kernel-patch.js';

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

function fastSliceKernel(stock: tf.KernelFunc, backendName: PatchableBackend): tf.KernelFunc {
  return (params) => {
    const { x } = params.inputs;
    // Strings, complex numbers and empty slices as stock does them.
    if (x === undefined || !copyableDtypes.has(x.dtype)) return stock(params);
    const attrs = params.attrs as unknown as SliceAttrs;
    const [begin = [], size = []] = tf.slice_util.parseSliceParams(x, attrs.begin, attrs.size);
    if (size.some((dim) => dim === 0)) return stock(params);
    if (backendName === 'wasm') {
      const backend = params.backend as WasmKernelBackend;
      const out = backend.makeOutput(size, x.dtype);
      // Views on the wasm heap: stock's readSync copies the whole input first, on every call.
      copySlice(backend.typedArrayFromHeap(x), x.shape, begin, size, backend.typedArrayFromHeap(out));
      return out;
    }
    // cpu: stock shares a contiguous slice's memory (keep that); a strided one it copies element by element
    // through TensorBuffer index arithmetic.
    if (tf.slice_util.isSliceContinous(x.shape, begin, size)) return stock(params);
    const backend = params.backend as CpuKernelBackend;
    const values = backend.data.get(x.dataId).values;
    if (!ArrayBuffer.isView(values)) return stock(params);
    const out = tf.util.getTypedArrayFromDType(x.dtype as 'float32', tf.util.sizeFromShape(size));
    copySlice(values, x.shape, begin, size, out);
    return backend.makeTensorInfo(size, x.dtype, out);
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

// The self-test's slices of iota tensors, worked out by hand: [offset, count] runs of the flat input.
function expectedRuns(runs: readonly (readonly [number, number])[]): number[] {
  return runs.flatMap(([start, count]) => Array.from({ length: count }, (_, k) => start + k));
}
const selfTestExpected: readonly (readonly number[])[] = [
  // x[1, 0:3, 1:3, 2:5] of a [2,3,4,5] iota: rows start at 60 + 20·j + 5·k + 2
  expectedRuns([0, 1, 2].flatMap((j) => [1, 2].map((k): [number, number] => [62 + 20 * j + 5 * k, 3]))),
  // x[0:2, 1, :, :]
  expectedRuns([
    [20, 20],
    [80, 20],
  ]),
  // begin [1, 2], size [1, 1] on the rank-4 x: x[1, 2, :, :]
  expectedRuns([[100, 20]]),
  // flat[7:16]
  expectedRuns([[7, 9]]),
  // ids[0:2, 1:3] of [[1,2,3],[4,5,6]]
  [2, 3, 5, 6],
];

function describeSlice(
  backend: PatchableBackend,
  why: string,
): Pick<KernelPatch, 'id' | 'backends' | 'kind' | 'summary' | 'install'> {
  return fastKernelPatch('Slice', backend, `Slice by runs of the last axis: ${why}`, fastSliceKernel);
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
  ...describeSlice('wasm', 'from a view of the wasm heap, not a copy of the whole input (stock readSync)'),
  selfTest: { run: selfTestRun, tolerance: 0 },
};

/**
 * A faster cpu Slice for strided slices: the stock kernel copies them element by element through
 * `TensorBuffer` index arithmetic (~0.2 µs an element: 3 ms to replace one column of a `[64, 128]`
 * activation); this one copies runs of the last axis. Contiguous slices stay stock's (shared memory). Its
 * self-test compares with values worked out by hand, because the cpu backend is the patched one.
 *
 * @example
 * const undo = cpuFastSlicePatch.install('cpu');
 */
export const cpuFastSlicePatch: KernelPatch = {
  ...describeSlice('cpu', 'strided slices copied by runs, not element by element through TensorBuffer'),
  selfTest: { run: selfTestRun, expected: selfTestExpected, tolerance: 0 },
};
