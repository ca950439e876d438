import type * as tf from '@tensorflow/tfjs-core';
import { ShapeMismatchError } from '@tdhook/core';

import { checkEps } from '../geometry/check-eps.js';
import {
  checkNeighbourCount,
  resolveNeighbourCount,
  type NeighbourCount,
} from '../geometry/neighbour-count.js';
import { perPointEstimate } from './per-point-estimate.js';

/**
 * Options of {@link localKnn}.
 *
 * @example
 * const options: LocalKnnOptions = { k: 5 };
 */
export interface LocalKnnOptions {
  /** Neighbours: an integer > 1 or `'auto'` (`max(2, min(⌊√N⌋, ⌊(N−1)/2⌋))`). Default `'auto'`. */
  readonly k?: NeighbourCount;
  /** Distances ≤ eps are duplicates, never neighbours. Default 1e-5. */
  readonly eps?: number;
}

/**
 * Local kNN intrinsic dimension per point, d = ln 2 / ln(R₂ₖ/Rₖ) with Rₖ the k-th valid neighbour distance; NaN
 * unless both exist and R₂ₖ > Rₖ strictly. Needs N ≥ 2k + 1. Returns `[..., N]` float32 (caller owns).
 *
 * @example
 * const perPoint = localKnn(points, { k: 5 }); // [N]
 */
export function localKnn(points: tf.Tensor, options: LocalKnnOptions = {}): tf.Tensor {
  const where = 'localKnn';
  const k = checkNeighbourCount(options.k ?? 'auto', 2, where);
  const eps = checkEps(options.eps ?? 1e-5, where);
  let resolved = 0;
  return perPointEstimate(points, where, eps, {
    label: 'local KNN',
    neighbours: () => 2 * resolved,
    checkPoints: (n) => {
      resolved = resolveNeighbourCount(k, n);
      if (n < 2 * resolved + 1) {
        throw new ShapeMismatchError({
          what: `At least 2k+1 points required for local KNN (k=${resolved}), got ${n}`,
          where,
          fix: 'Pass more points per set or a smaller k.',
        });
      }
    },
    estimate: (_rows, _d, i, table) => {
      const rk = table.distance[i * table.m + resolved - 1] as number;
      const r2k = table.distance[i * table.m + 2 * resolved - 1] as number;
      if (!Number.isFinite(rk) || !Number.isFinite(r2k) || !(r2k > rk)) return NaN;
      return Math.LN2 / Math.log(r2k / rk);
    },
  });
}
