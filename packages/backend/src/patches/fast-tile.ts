import * as tf from '@tensorflow/tfjs-core';

import {
  copyableDtypes,
  fastKernelPatch,
  type CpuKernelBackend,
  type WasmKernelBackend,
} from './fast-kernel.js';
import type { KernelPatch, PatchableBackend } from './kernel-patch.js';

/**
 * Writes `x` (row-major, `shape`) tiled `reps` times into `out`. Past the last tiled axis k the input is one
 * contiguous slab per position of the axes before k: each slab is copied reps[k] times in a row, so the
 * work is one `set` per slab copy, not per element.
 */
function copyTile(
  x: tf.backend_util.TypedArray,
  shape: readonly number[],
  reps: readonly number[],
  out: tf.backend_util.TypedArray,
): void {
  const last = reps.reduce((found, rep, axis) => (rep > 1 ? axis : found), -1);
  if (last < 0) {
    out.set(x);
    return;
  }
  const strides = tf.util.computeStrides([...shape]);
  const slab = shape.slice(last).reduce((product, dim) => product * dim, 1);
  const prefix = shape.slice(0, last).map((dim, axis) => dim * (reps[axis] ?? 1));
  const index = prefix.map(() => 0);
  const copies = reps[last] ?? 1;
  for (let offset = 0; offset < out.length;) {
    let start = 0;
    index.forEach((position, axis) => (start += (position % (shape[axis] ?? 1)) * (strides[axis] ?? 0)));
    const values = x.subarray(start, start + slab);
    for (let copy = 0; copy < copies; copy++, offset += slab) out.set(values, offset);
    for (let axis = prefix.length - 1; axis >= 0; axis--) {
      index[axis] = (index[axis] ?? 0) + 1;
      if ((index[axis] ?? 0) < (prefix[axis] ?? 0)) break;
      index[axis] = 0;
    }
  }
}

function fastTileKernel(stock: tf.KernelFunc, backendName: PatchableBackend): tf.KernelFunc {
  return (params) => {
    const { x } = params.inputs;
    const reps = (params.attrs as unknown as { reps: number[] }).reps;
    // Strings, complex numbers and empty tensors as stock does them.
    if (x === undefined || !copyableDtypes.has(x.dtype) || x.shape.some((dim) => dim === 0))
      return stock(params);
    const shape = x.shape.map((dim, axis) => dim * (reps[axis] ?? 1));
    if (backendName === 'wasm') {
      const backend = params.backend as WasmKernelBackend;
      const out = backend.makeOutput(shape, x.dtype);
      copyTile(backend.typedArrayFromHeap(x), x.shape, reps, backend.typedArrayFromHeap(out));
      return out;
    }
    const backend = params.backend as CpuKernelBackend;
    const values = backend.data.get(x.dataId).values;
    if (!ArrayBuffer.isView(values)) return stock(params);
    const out = tf.util.getTypedArrayFromDType(x.dtype as 'float32', tf.util.sizeFromShape(shape));
    copyTile(values, x.shape, reps, out);
    return backend.makeTensorInfo(shape, x.dtype, out);
  };
}

function selfTestRun(): tf.Tensor[] {
  const x = tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3]);
  return [
    tf.tile(x, [2, 1]),
    tf.tile(x, [1, 2]),
    tf.tile(tf.reshape(x, [1, 2, 3]), [2, 1, 2]),
    tf.cast(tf.tile(tf.tensor1d([1, 0], 'bool'), [3]), 'float32'),
  ];
}

const selfTestExpected: readonly (readonly number[])[] = [
  [1, 2, 3, 4, 5, 6, 1, 2, 3, 4, 5, 6],
  [1, 2, 3, 1, 2, 3, 4, 5, 6, 4, 5, 6],
  [1, 2, 3, 1, 2, 3, 4, 5, 6, 4, 5, 6, 1, 2, 3, 1, 2, 3, 4, 5, 6, 4, 5, 6],
  [1, 0, 1, 0, 1, 0],
];

function tilePatch(backend: PatchableBackend, why: string): Omit<KernelPatch, 'selfTest'> {
  return fastKernelPatch(
    'Tile',
    backend,
    `Tile (every broadcastTo, and tf.where's broadcasting) by contiguous slabs: ${why}`,
    fastTileKernel,
  );
}

/**
 * A faster wasm Tile. Stock wasm's kernel works out the source of every output element in C++ (~100 ns an
 * element): broadcasting a `[1, 1, 15, 15]` causal mask to 64 rows × 4 heads costs 6 ms. Every
 * `tf.broadcastTo` that repeats, and `tf.where` with inputs of different shapes, runs it. This kernel copies
 * contiguous slabs of the input (one `set` per copy). Same values; its self-test compares with the stock cpu
 * backend.
 *
 * @example
 * const undo = fastTilePatch.install('wasm');
 * tf.broadcastTo(mask, [64, 4, 15, 15]); // slab copies
 * undo();
 */
export const fastTilePatch: KernelPatch = {
  ...tilePatch('wasm', 'stock wasm computes each element’s source (~100 ns an element)'),
  selfTest: { run: selfTestRun, tolerance: 0 },
};

/**
 * The same for cpu, whose stock Tile goes element by element through `TensorBuffer` index arithmetic. Its
 * self-test compares with values worked out by hand, because the cpu backend is the patched one.
 *
 * @example
 * const undo = cpuFastTilePatch.install('cpu');
 */
export const cpuFastTilePatch: KernelPatch = {
  ...tilePatch('cpu', 'stock cpu goes element by element through TensorBuffer'),
  selfTest: { run: selfTestRun, expected: selfTestExpected, tolerance: 0 },
};
