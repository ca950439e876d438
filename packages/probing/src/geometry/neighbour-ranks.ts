import { exactPowerDistance, exactSquaredDistance } from './exact-distance.js';
import { nearestValidNeighbours } from './nearest-neighbours.js';
import { forEachScoreBlock } from './score-blocks.js';

/**
 * Each point's nearest other point under the p-norm (duplicates included: the rank-1 point of its row), exact.
 *
 * @example
 * const nearest = nearestOther(rows, n, d, 2); // Int32Array(n)
 */
export function nearestOther(rows: Float32Array, n: number, d: number, p: number): Int32Array {
  if (p === 2) return nearestValidNeighbours(rows, n, d, 1, -Infinity).index;
  const nearest = new Int32Array(n).fill(-1);
  for (let i = 0; i < n; i += 1) {
    let best = Infinity;
    for (let j = 0; j < n; j += 1) {
      if (j === i) continue;
      const distance = exactPowerDistance(rows, d, i, j, p);
      if (distance < best) {
        best = distance;
        nearest[i] = j;
      }
    }
  }
  return nearest;
}

/**
 * The rank of `target[i]` in row i of the p-norm distance matrix of `rows`: self is rank 0, the others 1..N−1
 * in ascending distance, ties by index (a stable sort). Exact: for p = 2 the TF.js expansion settles every
 * point its error bound can, and only the rest are recomputed by direct differences.
 *
 * @example
 * const ranks = ranksOf(rowsB, n, db, nearestOther(rowsA, n, da, 2), 2);
 */
export function ranksOf(
  rows: Float32Array,
  n: number,
  d: number,
  target: Int32Array,
  p: number,
): Float64Array {
  const ranks = new Float64Array(n);
  if (p !== 2) {
    for (let i = 0; i < n; i += 1) {
      const j = target[i] as number;
      const t = exactPowerDistance(rows, d, i, j, p);
      let rank = 1;
      for (let l = 0; l < n; l += 1) {
        if (l === i || l === j) continue;
        const distance = exactPowerDistance(rows, d, i, l, p);
        if (distance < t || (distance === t && l < j)) rank += 1;
      }
      ranks[i] = rank;
    }
    return ranks;
  }
  forEachScoreBlock(rows, n, d, (block, centred) => {
    for (let r = 0; r < block.rows; r += 1) {
      const i = block.start + r;
      const j = target[i] as number;
      const t = exactSquaredDistance(rows, d, i, j);
      const bound = centred.bound(i);
      const base = centred.norms[i] as number;
      const offset = r * n;
      let rank = 1;
      for (let l = 0; l < n; l += 1) {
        if (l === i || l === j) continue;
        const approx = base + (block.scores[offset + l] as number);
        if (approx < t - bound) rank += 1;
        else if (approx <= t + bound) {
          const distance = exactSquaredDistance(rows, d, i, l);
          if (distance < t || (distance === t && l < j)) rank += 1;
        }
      }
      ranks[i] = rank;
    }
  });
  return ranks;
}
