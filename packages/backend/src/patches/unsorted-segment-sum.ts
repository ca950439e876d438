import * as tf from '@tensorflow/tfjs-core';
import { compositeKernel, registerKernelPatch } from '@tdhook/tfjs-internals';

import type { KernelPatch } from './kernel-patch.js';

const kernelName = 'UnsortedSegmentSum';

/** UnsortedSegmentSum's attrs as tfjs 4.22 passes them (untyped at the kernel boundary). */
interface SegmentSumAttrs {
  readonly numSegments: number;
}

// TF semantics: the ids index the leading dims of x, duplicates add up, ids outside [0, numSegments) are
// dropped. ScatterNd sums duplicates but must not see out-of-range ids (cpu throws, wasm writes out of
// bounds), so those rows are filtered out first; the ids are small, so checking them in JS is cheap.
const unsortedSegmentSum: tf.KernelFunc = compositeKernel(({ x, segmentIds }, attrMap) => {
  if (x === undefined || segmentIds === undefined) throw new Error(`${kernelName}: needs x and segmentIds.`);
  const { numSegments } = attrMap as unknown as SegmentSumAttrs;
  const count = segmentIds.size;
  const rows = tf.reshape(x, [count, ...x.shape.slice(segmentIds.rank)]);
  const outShape = [numSegments, ...rows.shape.slice(1)];
  const ids = segmentIds.dataSync();
  const keep: number[] = [];
  ids.forEach((id, i) => {
    if (id >= 0 && id < numSegments) keep.push(i);
  });
  if (keep.length === 0) return tf.zeros(outShape, x.dtype);
  if (keep.length === count) return tf.scatterND(tf.reshape(segmentIds, [count, 1]), rows, outShape);
  const kept = tf.tensor1d(keep, 'int32');
  return tf.scatterND(
    tf.reshape(tf.gather(segmentIds, kept), [keep.length, 1]),
    tf.gather(rows, kept),
    outShape,
  );
});

function selfTestRun(): tf.Tensor[] {
  const table = tf.tensor2d([0.5, -1, 2, 0.25, -3, 1.5], [3, 2]);
  const ids = tf.tensor1d([2, 0, 2, 1, 2], 'int32');
  const weights = tf.tensor2d([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], [5, 2]);
  const direct = tf.unsortedSegmentSum(weights, ids, 4);
  // The embedding gradient: gather's gradient is UnsortedSegmentSum of the weights by id.
  const embedding = tf.grad((t) => tf.sum(tf.mul(tf.gather(t, ids), weights)))(table);
  return [direct, embedding];
}

// Rows of ids 2, 0, 2, 1, 2: segment 0 gets row 1, segment 1 row 3, segment 2 rows 0, 2 and 4.
const selfTestExpected: readonly (readonly number[])[] = [
  [3, 4, 7, 8, 15, 18, 0, 0],
  [3, 4, 7, 8, 15, 18],
];

/**
 * `UnsortedSegmentSum` for wasm, where tfjs 4.22 has none: it is the gradient of `gather`, so every
 * embedding lookup fails to differentiate. A composite kernel: `scatterND` with the ids as indices (ScatterNd
 * sums duplicates); ids outside `[0, numSegments)` are dropped as in TF. The kernel takes 0.5 ms for 512 ids
 * of width 64 into V = 5000 rows (the whole embedding gradient about 3 ms).
 *
 * @example
 * const undo = wasmUnsortedSegmentSumPatch.install('wasm');
 * const dTable = tf.grad((t) => tf.sum(tf.gather(t, ids)))(table);
 * undo();
 */
export const wasmUnsortedSegmentSumPatch: KernelPatch = {
  id: `wasm/${kernelName}`,
  backends: ['wasm'],
  kind: 'missing-kernel',
  summary: 'unsortedSegmentSum, the gather/embedding gradient (missing on wasm), as a scatterND',
  install: (backend) =>
    registerKernelPatch({ kernelName, backendName: backend, kernelFunc: unsortedSegmentSum }),
  selfTest: { run: selfTestRun },
};

/**
 * A fast `UnsortedSegmentSum` for cpu: the stock kernel builds a mask per segment, O(V·N·D), 40 s for an
 * embedding gradient at V = 5000; the same scatterND composite as on wasm is linear in the ids (1 ms at V = 5000). Its
 * self-test compares with values worked out by hand, because the cpu backend is the patched one.
 *
 * @example
 * const undo = cpuUnsortedSegmentSumPatch.install('cpu');
 */
export const cpuUnsortedSegmentSumPatch: KernelPatch = {
  id: `cpu/${kernelName}`,
  backends: ['cpu'],
  kind: 'fast-kernel',
  summary: 'unsortedSegmentSum as a scatterND (the stock cpu kernel is O(segments x ids x dims))',
  install: (backend) =>
    registerKernelPatch({ kernelName, backendName: backend, kernelFunc: unsortedSegmentSum }),
  selfTest: { run: selfTestRun, expected: selfTestExpected },
};
