import * as tf from '@tensorflow/tfjs-core';

import { nearestValidNeighbours, type NeighbourTable } from '../geometry/nearest-neighbours.js';
import { readPointSets, sliceRows } from '../geometry/point-sets.js';

/**
 * How a per-point estimator runs on one point set: how many valid neighbours it needs, the N check, and the
 * estimate of one point from its neighbour table.
 *
 * @example
 * const plan: PerPointPlan = { label: 'local KNN', neighbours: () => 10, checkPoints: () => {}, estimate: () => 2 };
 */
export interface PerPointPlan {
  readonly label: string;
  /** Valid neighbours needed per point, for `n` points (k resolved). */
  neighbours(n: number): number;
  /** Throws when `n` is too small (the original's "At least … points" errors). */
  checkPoints(n: number): void;
  /** The estimate of point `i` (NaN where undefined). */
  estimate(rows: Float32Array, d: number, i: number, table: NeighbourTable): number;
}

/**
 * Runs a per-point estimator over `[N, D]` or `[..., N, D]`, returning `[..., N]` float32 that the caller owns.
 *
 * @example
 * const dims = perPointEstimate(x, 'localKnn', 1e-5, plan);
 */
export function perPointEstimate(
  points: tf.Tensor,
  where: string,
  eps: number,
  plan: PerPointPlan,
): tf.Tensor {
  const sets = readPointSets(points, where, plan.label);
  const { n, d, count, batchShape } = sets;
  plan.checkPoints(n);
  const m = plan.neighbours(n);
  const out = new Float32Array(count * n);
  for (let s = 0; s < count; s += 1) {
    const rows = sliceRows(sets, s);
    const table = nearestValidNeighbours(rows, n, d, m, eps);
    for (let i = 0; i < n; i += 1) out[s * n + i] = plan.estimate(rows, d, i, table);
  }
  return tf.tensor(out, [...batchShape, n], 'float32');
}
