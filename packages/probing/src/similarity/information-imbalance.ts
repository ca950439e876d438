import * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError, ShapeMismatchError } from '@tdhook/core';

import { nearestAndRanks, ranksOf } from '../geometry/neighbour-ranks.js';
import { sliceRows } from '../geometry/point-sets.js';
import { readPairedPointSets } from './paired-point-sets.js';

/**
 * Options of {@link informationImbalance}.
 *
 * @example
 * const options: InformationImbalanceOptions = { p: 1 };
 */
export interface InformationImbalanceOptions {
  /** The p of the p-norm distances (> 0, or Infinity). Default 2. */
  readonly p?: number;
}

/**
 * What {@link informationImbalance} returns; the caller owns both tensors.
 *
 * @example
 * const { aToB, bToA } = informationImbalance(a, b);
 */
export interface InformationImbalanceResult {
  /** Δ(A→B) `[...]` float32: how badly A's nearest neighbours predict B's (small = A informs B). */
  readonly aToB: tf.Tensor;
  /** Δ(B→A) `[...]` float32. */
  readonly bToA: tf.Tensor;
}

/**
 * Information imbalance (Glielmo et al. 2022) in both directions, as in the original: Δ(A→B) = (2/N)·meanᵢ
 * r^B(i, j) where j is i's nearest neighbour in A and r^B its rank in i's row of B (self 0, others 1..N−1).
 * Identical spaces give exactly 2/N. Ranks are exact; ties go to the lower index.
 *
 * @example
 * const { aToB, bToA } = informationImbalance(layer1, layer2); // [N, Da], [N, Db] → scalars
 */
export function informationImbalance(
  a: tf.Tensor,
  b: tf.Tensor,
  options: InformationImbalanceOptions = {},
): InformationImbalanceResult {
  const where = 'informationImbalance';
  const p = checkPower(options.p ?? 2, where);
  const [setsA, setsB] = readPairedPointSets(a, b, where, 'Information Imbalance');
  const { n, count, batchShape } = setsA;
  if (n < 2 && count > 0) {
    throw new ShapeMismatchError({
      what: `Expected at least 2 samples, got ${n}`,
      where,
      fix: 'Information imbalance compares nearest neighbours; pass N ≥ 2 rows.',
    });
  }
  const aToB = new Float32Array(count);
  const bToA = new Float32Array(count);
  for (let s = 0; s < count; s += 1) {
    const rowsA = sliceRows(setsA, s);
    const rowsB = sliceRows(setsB, s);
    // A's neighbours from half a pass (each pair once), keeping each row's 32 closest candidates; B's
    // neighbours with the ranks of A's (a full pass: the ranks need whole rows); the ranks in A of B's
    // neighbours, settled from the kept candidates where B's neighbour is among them (related representations:
    // most rows) and recomputed on the other rows only.
    const inA = nearestAndRanks(rowsA, n, setsA.d, p);
    const inB = nearestAndRanks(rowsB, n, setsB.d, p, inA.nearest);
    aToB[s] = imbalance(inB.ranks, n);
    bToA[s] = imbalance(ranksOf(rowsA, n, setsA.d, inB.nearest, p, inA.candidates), n);
  }
  return {
    aToB: tf.tensor(aToB, [...batchShape], 'float32'),
    bToA: tf.tensor(bToA, [...batchShape], 'float32'),
  };
}

function imbalance(ranks: Float64Array, n: number): number {
  let sum = 0;
  for (const rank of ranks) sum += rank;
  return (2 / n) * (sum / n);
}

/**
 * Checks the p of the p-norm.
 *
 * @example
 * checkPower(2, 'informationImbalance'); // 2
 */
export function checkPower(p: unknown, where: string): number {
  if (typeof p !== 'number' || Number.isNaN(p) || p <= 0) {
    throw new InvalidValueError({
      what: `p must be a number > 0 (or Infinity), got ${String(p)}`,
      where: `${where}, option p`,
      fix: 'p = 2 is the Euclidean distance.',
    });
  }
  return p;
}
