import * as tf from '@tensorflow/tfjs-core';

import { centreRows, type CentredNorms } from './score-blocks.js';

/** At most this many float32 values of the N×N matrix exist at once (16 MiB). */
const blockElements = 1 << 22;

/**
 * One block of the upper triangle of the N×N product matrix: rows `start .. start + rows`, columns
 * `start .. n`, `products[r·width + c] = −2·c_{start+r}·c_{start+c}` (centred rows, float32 from TF.js), so
 * that `approx(i, j) = norms[i] + norms[j] + products[…]` for either order of the pair.
 *
 * @example
 * forEachUpperBlock(rows, n, d, (block) => console.log(block.start, block.rows, block.width));
 */
export interface UpperBlock {
  readonly start: number;
  readonly rows: number;
  /** `n − start`: the columns `start .. n`. */
  readonly width: number;
  readonly products: Float32Array;
}

/**
 * Walks the upper triangle (diagonal blocks included) of the N×N matrix of products of the centred rows, in
 * row blocks of at most 4 Mi values: each pair {i, j} is computed once, half the work of
 * {@link forEachScoreBlock}, for consumers that accumulate per row (each block's values serve row i and, for
 * the columns past the block, row j). Every tensor is disposed before this returns.
 *
 * @example
 * forEachUpperBlock(rows, n, d, (block, centred) => {
 *   const approx01 = centred.norms[0] + centred.norms[1] + block.products[1];
 * });
 */
export function forEachUpperBlock(
  rows: Float32Array,
  n: number,
  d: number,
  visit: (block: UpperBlock, centred: CentredNorms) => void,
): void {
  if (n === 0) return;
  const { centred, centredNorms } = centreRows(rows, n, d);
  // −2·Cᵀ materialised once (wasm's matMul with transposeB is many times slower than a plain product).
  const scaledT = tf.tidy(() => tf.mul(tf.transpose(centred), tf.scalar(-2)));
  try {
    for (let start = 0; start < n;) {
      const width = n - start;
      const size = Math.min(width, Math.max(1, Math.floor(blockElements / width)));
      const block = tf.tidy(() =>
        tf.matMul(tf.slice(centred, [start, 0], [size, d]), tf.slice(scaledT, [0, start], [d, width])),
      );
      const products = block.dataSync() as Float32Array;
      block.dispose();
      visit({ start, rows: size, width, products }, centredNorms);
      start += size;
    }
  } finally {
    scaledT.dispose();
    centred.dispose();
  }
}
