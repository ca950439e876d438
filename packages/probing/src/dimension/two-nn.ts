import * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError, ShapeMismatchError } from '@tdhook/core';

import { checkEps } from '../geometry/check-eps.js';
import { nearestValidNeighbours } from '../geometry/nearest-neighbours.js';
import { readPointSets, sliceRows } from '../geometry/point-sets.js';

/**
 * Options of {@link twoNn}.
 *
 * @example
 * const options: TwoNnOptions = { eps: 1e-5, returnXY: true };
 */
export interface TwoNnOptions {
  /** Distances ≤ eps are duplicates, never neighbours. Default 1e-5. */
  readonly eps?: number;
  /** Also return the regression's x = log μ and y = −log(1 − i/N), `[..., N − 1]`, NaN-padded. Default false. */
  readonly returnXY?: boolean;
}

/**
 * What {@link twoNn} returns; the caller owns every tensor.
 *
 * @example
 * const { dimension, x, y } = twoNn(points, { returnXY: true });
 */
export interface TwoNnResult {
  /** The estimate per point set, shape `[...]` (a scalar for `[N, D]`), float32. */
  readonly dimension: tf.Tensor;
  /** log μ of the valid points, sorted, largest dropped, NaN-padded to `[..., N − 1]` (with `returnXY`). */
  readonly x?: tf.Tensor;
  /** −log(1 − i/N_valid), i = 1..N_valid−1, NaN-padded to `[..., N − 1]` (with `returnXY`). */
  readonly y?: tf.Tensor;
}

/**
 * TwoNN intrinsic dimension (Facco et al. 2017) as in the original: μ = r₂/r₁ over the points whose two nearest
 * valid neighbours exist, sorted, the largest dropped, then d = Σxy/Σx² (least squares through the origin;
 * 0 when x ≡ 0, as torch's gelsy gives). Distances are exact; see {@link nearestValidNeighbours}.
 *
 * @example
 * const { dimension } = twoNn(tf.randomNormal([500, 10]));
 * dimension.dataSync()[0]; // ≈ 10, less for small N
 * dimension.dispose();
 */
export function twoNn(points: tf.Tensor, options: TwoNnOptions = {}): TwoNnResult {
  const where = 'twoNn';
  const eps = checkEps(options.eps ?? 1e-5, where);
  const returnXY = options.returnXY ?? false;
  const sets = readPointSets(points, where, 'Two NN dimension estimation');
  const { n, count, batchShape } = sets;
  if (n < 3) {
    throw new ShapeMismatchError({
      what: `At least 3 points required for Two NN dimension estimation, got N = ${n}`,
      where,
      fix: 'Pass at least 3 rows per point set.',
    });
  }
  const width = n - 1;
  const dimensions = new Float32Array(count);
  const xs = new Float32Array(count * width).fill(NaN);
  const ys = new Float32Array(count * width).fill(NaN);
  for (let s = 0; s < count; s += 1) {
    const table = nearestValidNeighbours(sliceRows(sets, s), n, sets.d, 2, eps);
    const ratios: number[] = [];
    for (let i = 0; i < n; i += 1) {
      const r1 = table.distance[2 * i] as number;
      const r2 = table.distance[2 * i + 1] as number;
      if (Number.isFinite(r1) && Number.isFinite(r2)) ratios.push(r2 / r1);
    }
    const valid = ratios.length;
    if (valid < 3) {
      throw new InvalidValueError({
        what: `At least 3 valid points required for Two NN dimension estimation, got ${valid}${count > 1 ? ` in point set ${s}` : ''}`,
        where,
        fix: 'A point is valid when it has two neighbours farther than eps; remove duplicates or lower eps.',
      });
    }
    ratios.sort((a, b) => a - b);
    let sxy = 0;
    let sxx = 0;
    for (let i = 1; i < valid; i += 1) {
      const xi = Math.log(ratios[i - 1] as number);
      const yi = -Math.log(1 - i / valid);
      sxy += xi * yi;
      sxx += xi * xi;
      xs[s * width + i - 1] = xi;
      ys[s * width + i - 1] = yi;
    }
    // A zero column has rank 0: gelsy's minimum-norm solution is 0, not NaN.
    dimensions[s] = sxx === 0 ? 0 : sxy / sxx;
  }
  const dimension = tf.tensor(dimensions, [...batchShape], 'float32');
  if (!returnXY) return { dimension };
  return {
    dimension,
    x: tf.tensor(xs, [...batchShape, width], 'float32'),
    y: tf.tensor(ys, [...batchShape, width], 'float32'),
  };
}
