import { type CentredNorms } from './score-blocks.js';
import { forEachUpperBlock } from './upper-score-blocks.js';

/**
 * Per point i, the `size` points of smallest approximate squared distance (`index[i·size ..]`, self excluded,
 * in no particular order) and `threshold[i]`, the smallest score left out (+Infinity if none is), where
 * `approx(i, j) = centred.norms[i] + score(i, j)`: every point left out has `exact ≥ norms[i] + threshold[i] −
 * centred.bound(i)`, which is what settles neighbours and ranks without another pass.
 *
 * @example
 * const candidates = smallestPerRow(rows, n, d, 32);
 * const first = candidates.index.subarray(0, candidates.size); // point 0's candidates
 */
export interface RowCandidates {
  readonly size: number;
  readonly index: Int32Array;
  readonly threshold: Float64Array;
  readonly centred: CentredNorms;
}

/**
 * {@link RowCandidates} of every point in one pass over the upper triangle of the N×N matrix (each pair's
 * product computed once and offered to both rows): `size` is clamped to N − 1, and then nothing is left out.
 *
 * @example
 * const { index, threshold } = smallestPerRow(rows, 300, 32, 10);
 */
export function smallestPerRow(rows: Float32Array, n: number, d: number, size: number): RowCandidates {
  const kept = Math.max(0, Math.min(size, n - 1));
  const index = new Int32Array(n * kept);
  const score = new Float64Array(n * kept);
  const count = new Int32Array(n);
  const threshold = new Float64Array(n).fill(Infinity);
  // The largest kept score of a full row (+Infinity until it is full): the one comparison most offers fail,
  // kept in its own array so that the offers to the rows j of a block's columns read it sequentially.
  const cutoff = new Float64Array(n).fill(Infinity);
  let centredNorms: CentredNorms = { norms: new Float32Array(n), bound: () => Infinity };
  // Inserts j into row i's sorted buffer (value < cutoff[i]); a displaced largest becomes a left-out score.
  const insert = (i: number, j: number, value: number): void => {
    const base = i * kept;
    const filled = count[i] as number;
    if (filled === kept) {
      const largest = score[base + kept - 1] as number;
      if (largest < (threshold[i] as number)) threshold[i] = largest;
    } else count[i] = filled + 1;
    let position = base + Math.min(filled, kept - 1);
    while (position > base && (score[position - 1] as number) > value) {
      score[position] = score[position - 1] as number;
      index[position] = index[position - 1] as number;
      position -= 1;
    }
    score[position] = value;
    index[position] = j;
    if ((count[i] as number) === kept) cutoff[i] = score[base + kept - 1] as number;
  };
  if (kept === 0) return { size: kept, index, threshold, centred: centredNorms };
  forEachUpperBlock(rows, n, d, (block, centred) => {
    centredNorms = centred;
    const norms = centred.norms;
    const { start, width } = block;
    for (let r = 0; r < block.rows; r += 1) {
      const i = start + r;
      const normI = norms[i] as number;
      const products = block.products.subarray(r * width, (r + 1) * width);
      for (let c = 0; c < width; c += 1) {
        const j = start + c;
        if (j === i) continue;
        const product = products[c] as number;
        const value = (norms[j] as number) + product;
        if (value < (cutoff[i] as number)) insert(i, j, value);
        else if (value < (threshold[i] as number)) threshold[i] = value;
        // Rows inside the block see this pair in their own row of the block.
        if (c < block.rows) continue;
        const mirrored = normI + product;
        if (mirrored < (cutoff[j] as number)) insert(j, i, mirrored);
        else if (mirrored < (threshold[j] as number)) threshold[j] = mirrored;
      }
    }
  });
  return { size: kept, index, threshold, centred: centredNorms };
}
