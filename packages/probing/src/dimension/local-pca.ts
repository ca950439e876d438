import type * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError, ShapeMismatchError } from '@tdhook/core';

import { checkEps } from '../geometry/check-eps.js';
import {
  checkNeighbourCount,
  resolveNeighbourCount,
  type NeighbourCount,
} from '../geometry/neighbour-count.js';
import { gatherRows } from './neighbourhood.js';
import { explainedVariance, maxGapDimension, ratioDimension } from './pca-spectrum.js';
import { perPointEstimate } from './per-point-estimate.js';

/**
 * Options of {@link localPca}.
 *
 * @example
 * const options: LocalPcaOptions = { k: 10, criterion: 'ratio', alpha: 0.05 };
 */
export interface LocalPcaOptions {
  /** Neighbours: an integer ≥ 1 or `'auto'` (`max(2, min(⌊√N⌋, ⌊(N−1)/2⌋))`). Default `'auto'`. */
  readonly k?: NeighbourCount;
  /** `'maxgap'` (the largest eigenvalue gap) or `'ratio'` (eigenvalues above α·λ₀). Default `'maxgap'`. */
  readonly criterion?: 'maxgap' | 'ratio';
  /** The ratio criterion's threshold α. Default 0.05. */
  readonly alpha?: number;
  /** Distances ≤ eps are duplicates, never neighbours. Default 1e-5. */
  readonly eps?: number;
}

/**
 * Local PCA intrinsic dimension per point: float64 PCA of the point and its k nearest valid neighbours, read by
 * the maxgap or ratio criterion; NaN with fewer than k valid neighbours. Needs N ≥ k + 1. An unknown criterion
 * is reported when the first point reaches the PCA step, as in the original. Returns `[..., N]` float32.
 *
 * Note (as in the original): with noise and k + 1 ≤ D, maxgap returns k, because the centred neighbourhood has
 * rank k and its last eigenvalue is ~0; prefer `'ratio'` there.
 *
 * @example
 * const perPoint = localPca(points, { k: 10, criterion: 'ratio' });
 */
export function localPca(points: tf.Tensor, options: LocalPcaOptions = {}): tf.Tensor {
  const where = 'localPca';
  const k = checkNeighbourCount(options.k ?? 'auto', 1, where);
  const eps = checkEps(options.eps ?? 1e-5, where);
  const criterion: unknown = options.criterion ?? 'maxgap';
  const alpha = options.alpha ?? 0.05;
  if (typeof alpha !== 'number' || Number.isNaN(alpha)) {
    throw new InvalidValueError({
      what: `alpha must be a number, got ${String(alpha)}`,
      where: `${where}, option alpha`,
    });
  }
  let resolved = 0;
  return perPointEstimate(points, where, eps, {
    label: 'local PCA',
    neighbours: () => resolved,
    checkPoints: (n) => {
      resolved = resolveNeighbourCount(k, n);
      if (n < resolved + 1) {
        throw new ShapeMismatchError({
          what: `At least k+1 points required for local PCA (k=${resolved}), got ${n}`,
          where,
          fix: 'Pass more points per set or a smaller k.',
        });
      }
    },
    estimate: (rows, d, i, table) => {
      const base = i * table.m;
      if (!Number.isFinite(table.distance[base + resolved - 1])) return NaN;
      if (criterion !== 'maxgap' && criterion !== 'ratio') {
        throw new InvalidValueError({
          what: `Unknown criterion: '${String(criterion)}'`,
          where: `${where}, option criterion`,
          fix: "Use 'maxgap' or 'ratio'.",
        });
      }
      const indices = [i, ...Array.from(table.index.subarray(base, base + resolved))];
      const lambdas = explainedVariance(gatherRows(rows, d, indices));
      return criterion === 'maxgap' ? maxGapDimension(lambdas) : ratioDimension(lambdas, alpha);
    },
  });
}
