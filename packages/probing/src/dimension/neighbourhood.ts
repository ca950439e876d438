/**
 * Rows of `rows` (`d` columns, float32) as float64 arrays: the neighbourhood a PCA step works on.
 *
 * @example
 * const block = gatherRows(rows, 8, [i, ...neighbours]);
 */
export function gatherRows(rows: Float32Array, d: number, indices: readonly number[]): number[][] {
  return indices.map((index) => Array.from(rows.subarray(index * d, (index + 1) * d)));
}
