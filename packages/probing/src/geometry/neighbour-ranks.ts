import { exactPowerDistance, exactSquaredDistance } from './exact-distance.js';
import { nearestValidNeighbours, nearestWithCandidates } from './nearest-neighbours.js';
import { type RowCandidates } from './row-candidates.js';
import { forEachScoreBlock, type CentredNorms } from './score-blocks.js';

/** Candidates kept per point by {@link nearestAndRanks}' pass without a target. */
const keptCandidates = 32;

/**
 * For information imbalance: each point's nearest other point under the p-norm (duplicates included: the
 * rank-1 point of its row) and, when `target` is given, the rank of `target[i]` in row i (self is rank 0, the
 * others 1..N−1 in ascending distance, ties by index: a stable sort). Everything is exact: for p = 2 the TF.js
 * expansion settles each point its error bound can, and only the rest are recomputed by direct differences;
 * both answers come from one pass over the N×N matrix. Other p use direct float64 differences throughout.
 *
 * @example
 * const { nearest } = nearestAndRanks(rowsA, n, da, 2);
 * const { ranks } = nearestAndRanks(rowsB, n, db, 2, nearest); // ranks in B of A's nearest neighbours
 */
export function nearestAndRanks(
  rows: Float32Array,
  n: number,
  d: number,
  p: number,
  target?: Int32Array,
): { nearest: Int32Array; ranks: Float64Array; candidates?: RowCandidates } {
  const ranks = new Float64Array(n);
  if (p === 2 && target === undefined) {
    // Half a pass (each pair once), keeping candidates that usually settle the later ranks of these points.
    const { table, candidates } = nearestWithCandidates(rows, n, d, 1, -Infinity, keptCandidates);
    return { nearest: table.index, ranks, candidates };
  }
  if (p === 2 && target !== undefined) {
    const table = nearestValidNeighbours(rows, n, d, 1, -Infinity, (i, scores, centred) => {
      ranks[i] = rankInRow(rows, n, d, i, target[i] as number, scores, centred);
    });
    return { nearest: table.index, ranks };
  }
  const nearest = new Int32Array(n).fill(-1);
  for (let i = 0; i < n; i += 1) {
    let best = Infinity;
    const j = target?.[i] ?? -1;
    const t = j < 0 ? 0 : exactPowerDistance(rows, d, i, j, p);
    let rank = 1;
    for (let l = 0; l < n; l += 1) {
      if (l === i) continue;
      const distance = exactPowerDistance(rows, d, i, l, p);
      if (distance < best) {
        best = distance;
        nearest[i] = l;
      }
      if (l !== j && (distance < t || (distance === t && l < j))) rank += 1;
    }
    ranks[i] = rank;
  }
  return { nearest, ranks };
}

/**
 * The rank of `target[i]` in every row i, without the nearest neighbours (the last pass of information
 * imbalance). With the `candidates` an earlier pass over the same rows kept (p = 2), the rows they settle
 * need no pass; only the others are recomputed.
 *
 * @example
 * const ranks = ranksOf(rowsA, n, da, nearestInB, 2, candidates);
 */
export function ranksOf(
  rows: Float32Array,
  n: number,
  d: number,
  target: Int32Array,
  p: number,
  candidates?: RowCandidates,
): Float64Array {
  if (p !== 2) return nearestAndRanks(rows, n, d, p, target).ranks;
  const ranks = new Float64Array(n);
  const unsettled =
    candidates === undefined ? undefined : ranksFromCandidates(rows, d, target, candidates, ranks);
  if (unsettled?.length === 0) return ranks;
  forEachScoreBlock(
    rows,
    n,
    d,
    (block, centred) => {
      for (let r = 0; r < block.rows; r += 1) {
        const i = block.points === undefined ? block.start + r : (block.points[block.start + r] as number);
        ranks[i] = rankInRow(
          rows,
          n,
          d,
          i,
          target[i] as number,
          block.scores.subarray(r * n, (r + 1) * n),
          centred,
        );
      }
    },
    unsettled,
  );
  return ranks;
}

function rankInRow(
  rows: Float32Array,
  n: number,
  d: number,
  i: number,
  j: number,
  scores: Float32Array,
  centred: CentredNorms,
): number {
  const t = exactSquaredDistance(rows, d, i, j);
  const bound = centred.bound(i);
  const base = centred.norms[i] as number;
  const below = t - bound - base;
  const above = t + bound - base;
  let rank = 1;
  for (let l = 0; l < n; l += 1) {
    const score = scores[l] as number;
    if (score < below) rank += 1;
    else if (score <= above && l !== i && l !== j) {
      const distance = exactSquaredDistance(rows, d, i, l);
      if (distance < t || (distance === t && l < j)) rank += 1;
    }
  }
  // Self and the target were counted if their scores fell below the band (the target cannot be: its exact
  // distance is t; self's approximate distance may be ~0).
  if ((scores[i] as number) < below) rank -= 1;
  if ((scores[j] as number) < below) rank -= 1;
  return rank;
}

/**
 * The ranks that `candidates` settle: when every point left out has `approx ≥ threshold` and the bound shows
 * that this puts it strictly beyond the target's exact distance, the rank counts the candidates only (exactly,
 * in float64). Returns the points left unsettled, ascending, for a pass over their rows.
 */
function ranksFromCandidates(
  rows: Float32Array,
  d: number,
  target: Int32Array,
  candidates: RowCandidates,
  ranks: Float64Array,
): Int32Array {
  const { size, index, threshold, centred } = candidates;
  const unsettled: number[] = [];
  for (let i = 0; i < ranks.length; i += 1) {
    const j = target[i] as number;
    if (j < 0) {
      unsettled.push(i);
      continue;
    }
    const t = exactSquaredDistance(rows, d, i, j);
    // Left out: exact ≥ norms[i] + threshold − bound > t, so none of them counts.
    if (!((centred.norms[i] as number) + (threshold[i] as number) - centred.bound(i) > t)) {
      unsettled.push(i);
      continue;
    }
    let rank = 1;
    for (let r = 0; r < size; r += 1) {
      const l = index[i * size + r] as number;
      if (l === j) continue;
      const distance = exactSquaredDistance(rows, d, i, l);
      if (distance < t || (distance === t && l < j)) rank += 1;
    }
    ranks[i] = rank;
  }
  return Int32Array.from(unsettled);
}
