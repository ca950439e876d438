import * as tf from '@tensorflow/tfjs-core';

import { CvError } from '../errors.js';

/**
 * A 2-D map of numbers without tensors: `values[y * width + x]`.
 *
 * @example
 * const map: MapValues = { values: new Float32Array([0, 1, -1, 0.5]), height: 2, width: 2 };
 */
export interface MapValues {
  readonly values: ArrayLike<number>;
  readonly height: number;
  readonly width: number;
}

/**
 * A map to draw: a tensor `[h, w]`, `[h, w, 1]` or `[1, h, w(, 1)]` (e.g. from {@link attributionMap} or
 * Grad-CAM), or {@link MapValues}.
 *
 * @example
 * const input: MapInput = tf.tensor2d([[0, 1], [-1, 0.5]]);
 */
export type MapInput = tf.Tensor | MapValues;

/** Reads a map input into plain numbers (synchronously; creates no tensors). */
export function toMapValues(map: MapInput, where: string): MapValues {
  if (map instanceof tf.Tensor) {
    // Squeeze a leading batch of one and a trailing channel of one; what is left must be 2-D.
    let shape = map.shape;
    if (shape.length === 4 && shape[0] === 1) shape = shape.slice(1);
    if (shape.length === 3 && shape[2] === 1) shape = shape.slice(0, 2);
    if (shape.length === 3 && shape[0] === 1) shape = shape.slice(1);
    const [height = 0, width = 0] = shape;
    if (shape.length !== 2 || height < 1 || width < 1) {
      throw new CvError('E_CV_IMAGE', {
        what: `A map must be 2-D, got a tensor of shape ${JSON.stringify(map.shape)}`,
        where,
        fix: 'Reduce channels first with attributionMap(attr, { reduce }), and pass one sample of a batch (tf.unstack).',
      });
    }
    return { values: map.dataSync(), height, width };
  }
  const { values, height, width } = map;
  if (
    !Number.isSafeInteger(height) ||
    !Number.isSafeInteger(width) ||
    height < 1 ||
    width < 1 ||
    values.length !== height * width
  ) {
    throw new CvError('E_CV_IMAGE', {
      what: `A map of ${height}×${width} needs ${height * width} values, got ${values.length}`,
      where,
      fix: 'Give { values, height, width } with values.length === height · width.',
    });
  }
  return map;
}

/** The `p`-th percentile (0–100) of finite values, linearly interpolated as numpy's default; 0 if none. */
export function percentile(values: ArrayLike<number>, p: number): number {
  const finite = Float64Array.from(values)
    .filter((v) => Number.isFinite(v))
    .sort();
  if (finite.length === 0) return 0;
  const at = (Math.min(100, Math.max(0, p)) / 100) * (finite.length - 1);
  const lower = Math.floor(at);
  const a = finite[lower] ?? 0;
  const b = finite[Math.min(lower + 1, finite.length - 1)] ?? a;
  return a + (at - lower) * (b - a);
}
