import type * as tf from '@tensorflow/tfjs-core';
import { ShapeMismatchError } from '@tdhook/core';

/**
 * Point sets `[..., N, D]` read once into float32 rows: the leading dims are flattened into `count` slices of
 * `n × d` values each (row-major), and restored on the way out through `batchShape`.
 *
 * @example
 * const sets = readPointSets(tf.zeros([2, 3, 40, 6]), 'twoNn');
 * sets.batchShape; // [2, 3]; sets.count = 6, sets.n = 40, sets.d = 6
 */
export interface PointSets {
  readonly batchShape: readonly number[];
  readonly count: number;
  readonly n: number;
  readonly d: number;
  /** All values, float32 (integers promoted), slice after slice. */
  readonly values: Float32Array;
}

/**
 * Reads `x` `[N, D]` or `[..., N, D]` as {@link PointSets}; a rank below 2 is a `ShapeMismatchError` whose
 * message carries the original's text ("expects tensors with shape (N, D) or (..., N, D)").
 *
 * @example
 * const { n, d, values } = readPointSets(x, 'cka');
 */
export function readPointSets(x: tf.Tensor, where: string, label = 'This estimator'): PointSets {
  if (x.rank < 2) {
    throw new ShapeMismatchError({
      what: `${label} expects tensors with shape (N, D) or (..., N, D), got [${x.shape.join(', ')}]`,
      where,
      fix: 'Pass one row per sample: [N, D], or [..., N, D] for several point sets at once.',
    });
  }
  const shape = x.shape;
  const n = shape[shape.length - 2] ?? 0;
  const d = shape[shape.length - 1] ?? 0;
  const batchShape = shape.slice(0, -2);
  const count = batchShape.reduce((product, size) => product * size, 1);
  // One read; integer and bool inputs are promoted to float32 as the original does.
  const values =
    x.dtype === 'float32'
      ? Float32Array.from(x.dataSync() as Float32Array)
      : Float32Array.from(x.dataSync() as ArrayLike<number>);
  return { batchShape, count, n, d, values };
}

/**
 * The rows of slice `index` of `sets`, without copying.
 *
 * @example
 * const rows = sliceRows(sets, 0); // n × d float32 values
 */
export function sliceRows(sets: PointSets, index: number): Float32Array {
  const size = sets.n * sets.d;
  return sets.values.subarray(index * size, (index + 1) * size);
}
