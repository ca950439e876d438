import type * as tf from '@tensorflow/tfjs-core';
import { ShapeMismatchError } from '@tdhook/core';

import { checkEps } from '../geometry/check-eps.js';
import {
  checkNeighbourCount,
  resolveNeighbourCount,
  type NeighbourCount,
} from '../geometry/neighbour-count.js';
import { gatherRows } from './neighbourhood.js';
import { explainedVariance } from './pca-spectrum.js';
import { perPointEstimate } from './per-point-estimate.js';

/**
 * Options of {@link caPca}.
 *
 * @example
 * const options: CaPcaOptions = { k: 10 };
 */
export interface CaPcaOptions {
  /** Neighbours: an integer ≥ 1 or `'auto'` (`max(2, min(⌊√N⌋, ⌊(N−1)/2⌋))`). Default `'auto'`. */
  readonly k?: NeighbourCount;
  /** Distances ≤ eps are duplicates, never neighbours. Default 1e-5. */
  readonly eps?: number;
}

/**
 * The CA-PCA score of dimension `dim` for eigenvalues `scaled` (λ/r², zero-padded to D):
 * ‖t − ℓ‖₂ + 2·Σλ̂[dim:], t = 1/(dim+2) and ℓ = λ̂ + (3dim+4)/(dim(dim+4))·Σλ̂[dim:] on the first dim entries.
 *
 * @example
 * caPcaScore([0.3, 0.3, 0], 2);
 */
export function caPcaScore(scaled: readonly number[], dim: number): number {
  let tail = 0;
  for (let i = dim; i < scaled.length; i += 1) tail += scaled[i] as number;
  const target = 1 / (dim + 2);
  const shift = ((3 * dim + 4) / (dim * (dim + 4))) * tail;
  let squares = 0;
  for (let i = 0; i < dim; i += 1) {
    const difference = target - ((scaled[i] as number) + shift);
    squares += difference * difference;
  }
  return Math.sqrt(squares) + 2 * tail;
}

/**
 * CA-PCA intrinsic dimension per point (curvature-adjusted PCA): the k+1 nearest valid neighbours without the
 * point itself, r = (d₍ₖ₎ + d₍ₖ₊₁₎)/2, λ̂ = explained variance / r², and the first d in 1..D with the smallest
 * {@link caPcaScore}. NaN with fewer than k+1 valid neighbours. Needs N ≥ k + 2. Returns `[..., N]` float32.
 *
 * @example
 * const perPoint = caPca(points, { k: 10 });
 */
export function caPca(points: tf.Tensor, options: CaPcaOptions = {}): tf.Tensor {
  const where = 'caPca';
  const k = checkNeighbourCount(options.k ?? 'auto', 1, where);
  const eps = checkEps(options.eps ?? 1e-5, where);
  let resolved = 0;
  return perPointEstimate(points, where, eps, {
    label: 'CA-PCA',
    neighbours: () => resolved + 1,
    checkPoints: (n) => {
      resolved = resolveNeighbourCount(k, n);
      if (n < resolved + 2) {
        throw new ShapeMismatchError({
          what: `At least k+2 points required for CA-PCA (k=${resolved}), got ${n}`,
          where,
          fix: 'Pass more points per set or a smaller k.',
        });
      }
    },
    estimate: (rows, d, i, table) => {
      const base = i * table.m;
      const radius =
        ((table.distance[base + resolved - 1] as number) + (table.distance[base + resolved] as number)) / 2;
      if (!Number.isFinite(radius)) return NaN;
      const indices = Array.from(table.index.subarray(base, base + resolved + 1));
      const lambdas = explainedVariance(gatherRows(rows, d, indices));
      const scaled = Array.from({ length: d }, (_, index) => (lambdas[index] ?? 0) / (radius * radius));
      let best = Infinity;
      let bestDim = 1;
      for (let dim = 1; dim <= d; dim += 1) {
        const score = caPcaScore(scaled, dim);
        if (score < best) {
          best = score;
          bestDim = dim;
        }
      }
      return bestDim;
    },
  });
}
