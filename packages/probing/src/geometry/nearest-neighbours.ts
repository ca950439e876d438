import { exactSquaredDistance } from './exact-distance.js';
import { smallestPerRow, type RowCandidates } from './row-candidates.js';
import { forEachScoreBlock, type CentredNorms } from './score-blocks.js';

/**
 * The first `m` valid neighbours of every point, ascending: `index[i·m + r]` and the exact L2 `distance[i·m + r]`
 * of point `i`'s r-th neighbour, or `-1` and `+Infinity` where it has fewer than `m` valid neighbours.
 *
 * @example
 * const table = nearestValidNeighbours(rows, n, d, 2, 1e-5);
 * const r1 = table.distance[i * 2]; // nearest valid distance of point i
 */
export interface NeighbourTable {
  readonly n: number;
  readonly m: number;
  readonly index: Int32Array;
  readonly distance: Float64Array;
}

/**
 * Sorted neighbours with the eps rule of the original's `sorted_neighbors`: a point is never its own neighbour,
 * and neither is any point at distance ≤ `eps` (duplicates; pass `-Infinity` to keep them). Distances are exact
 * (float64 direct differences); the float32 expansion from TF.js only proposes candidates, and a candidate set is
 * accepted only once its error bound proves that no other point can come before the m-th neighbour. Ties keep
 * the lower index first (a stable sort).
 *
 * @example
 * const { distance } = nearestValidNeighbours(rows, 300, 32, 2, 1e-5); // TwoNN's r₁, r₂
 */
export function nearestValidNeighbours(
  rows: Float32Array,
  n: number,
  d: number,
  m: number,
  eps: number,
  visitRow?: (i: number, scores: Float32Array, centred: CentredNorms) => void,
): NeighbourTable {
  if (visitRow === undefined) return nearestWithCandidates(rows, n, d, m, eps, m + extraCandidates).table;
  const table = emptyTable(n, m);
  if (n < 2) return table;
  forEachScoreBlock(rows, n, d, (block, centred) => {
    for (let r = 0; r < block.rows; r += 1) {
      const i = block.start + r;
      const scores = block.scores.subarray(r * n, (r + 1) * n);
      if (m > 0) fillRow(rows, n, d, m, eps, i, scores, centred, table);
      // Callers that need more from the same row (ranks) read it here, saving a pass over the N×N matrix.
      visitRow(i, scores, centred);
    }
  });
  return table;
}

/** Candidates beyond the m neighbours asked for, in the first attempt at a row. */
const extraCandidates = 8;

/**
 * {@link nearestValidNeighbours} by half a pass: the `keep` (≥ m) smallest candidates of every row from one
 * walk over the upper triangle of the N×N matrix, settled exactly by the error bound; the rows they do not
 * settle (more duplicates or near-ties than candidates) are recomputed from full rows. Also returns the
 * candidates, for later rank queries on the same points.
 *
 * @example
 * const { table, candidates } = nearestWithCandidates(rows, n, d, 1, -Infinity, 32);
 */
export function nearestWithCandidates(
  rows: Float32Array,
  n: number,
  d: number,
  m: number,
  eps: number,
  keep: number,
): { table: NeighbourTable; candidates: RowCandidates } {
  const table = emptyTable(n, m);
  const candidates = smallestPerRow(rows, n, d, Math.max(keep, m));
  if (m === 0 || n < 2) return { table, candidates };
  const { size, index, threshold, centred } = candidates;
  const unsettled: number[] = [];
  for (let i = 0; i < n; i += 1) {
    const own = index.subarray(i * size, (i + 1) * size);
    if (!settleRow(rows, d, m, eps, i, own, threshold[i] as number, size >= n - 1, centred, table)) {
      unsettled.push(i);
    }
  }
  if (unsettled.length > 0) {
    forEachScoreBlock(
      rows,
      n,
      d,
      (block, norms) => {
        for (let r = 0; r < block.rows; r += 1) {
          const scores = block.scores.subarray(r * n, (r + 1) * n);
          fillRow(rows, n, d, m, eps, unsettled[block.start + r] as number, scores, norms, table);
        }
      },
      Int32Array.from(unsettled),
    );
  }
  return { table, candidates };
}

function emptyTable(n: number, m: number): NeighbourTable {
  return { n, m, index: new Int32Array(n * m).fill(-1), distance: new Float64Array(n * m).fill(Infinity) };
}

interface Candidate {
  readonly j: number;
  readonly squared: number;
}

function fillRow(
  rows: Float32Array,
  n: number,
  d: number,
  m: number,
  eps: number,
  i: number,
  scores: Float32Array,
  centred: CentredNorms,
  table: NeighbourTable,
): void {
  let size = Math.min(n - 1, m + extraCandidates);
  for (;;) {
    const { indices, threshold } = smallestScores(scores, i, size);
    if (settleRow(rows, d, m, eps, i, indices, threshold, size >= n - 1, centred, table)) return;
    size = Math.min(n - 1, size * 4);
  }
}

/**
 * Fills row i of the table from candidates (any order) and the smallest score left out, if the error bound
 * proves that nothing left out can come before the m-th valid neighbour (or nothing is left out: `complete`);
 * false, and the row untouched, otherwise.
 */
function settleRow(
  rows: Float32Array,
  d: number,
  m: number,
  eps: number,
  i: number,
  indices: Int32Array,
  threshold: number,
  complete: boolean,
  centred: CentredNorms,
  table: NeighbourTable,
): boolean {
  const valid: Candidate[] = [];
  for (const j of indices) {
    const squared = exactSquaredDistance(rows, d, i, j);
    // The original compares the distance itself with eps: dist ≤ eps is a duplicate.
    if (Math.sqrt(squared) > eps) valid.push({ j, squared });
  }
  valid.sort((p, q) => p.squared - q.squared || p.j - q.j);
  // Everything outside the candidates has approx ≥ base + threshold, so exact ≥ base + threshold − bound.
  const settled =
    complete ||
    (valid.length >= m &&
      (valid[m - 1] as Candidate).squared < (centred.norms[i] as number) + threshold - centred.bound(i));
  if (!settled) return false;
  const count = Math.min(m, valid.length);
  for (let r = 0; r < count; r += 1) {
    const candidate = valid[r] as Candidate;
    table.index[i * m + r] = candidate.j;
    table.distance[i * m + r] = Math.sqrt(candidate.squared);
  }
  return true;
}

/**
 * The `size` smallest scores of a row except the point itself, and the smallest score left out (+Infinity if
 * none is): an insertion buffer, since most values fail the first comparison.
 */
function smallestScores(
  scores: Float32Array,
  self: number,
  size: number,
): { indices: Int32Array; threshold: number } {
  const keptIndex = new Int32Array(size + 1);
  const keptScore = new Float64Array(size + 1);
  let count = 0;
  let threshold = Infinity;
  const n = scores.length;
  for (let j = 0; j < n; j += 1) {
    if (j === self) continue;
    const score = scores[j] as number;
    if (count === size && score >= (keptScore[size - 1] as number)) {
      if (score < threshold) threshold = score;
      continue;
    }
    let position = count;
    while (position > 0 && (keptScore[position - 1] as number) > score) {
      keptScore[position] = keptScore[position - 1] as number;
      keptIndex[position] = keptIndex[position - 1] as number;
      position -= 1;
    }
    keptScore[position] = score;
    keptIndex[position] = j;
    if (count < size) count += 1;
    else {
      // The displaced largest is now the smallest left out, unless something smaller was left out before.
      const displaced = keptScore[size] as number;
      if (displaced < threshold) threshold = displaced;
    }
  }
  return { indices: keptIndex.subarray(0, count), threshold };
}
