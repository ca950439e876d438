import * as tf from '@tensorflow/tfjs-core';

/** At most this many float32 values of the N×N matrix exist at once (16 MiB). */
const blockElements = 1 << 22;

const float32Unit = 2 ** -24;

/**
 * One row block of approximate squared distances from the fast expansion, computed by TF.js on centred rows:
 * `approx(i, j) = norms[i] + scores[(i − start)·n + j]` with `scores = ‖c_j‖² − 2 c_i·c_j` in float32.
 *
 * @example
 * forEachScoreBlock(rows, n, d, (block) => console.log(block.start, block.rows));
 */
export interface ScoreBlock {
  /** The block's first row: point `start`, or `points[start]` when only some points are walked. */
  readonly start: number;
  readonly rows: number;
  readonly scores: Float32Array;
  /** The walked points when not all are (row r of the block is point `points[start + r]`). */
  readonly points?: Int32Array;
}

/**
 * The squared norms of the centred rows (float32, as TF.js computed them) and a bound on the error of
 * `approx(i, j)`, so that callers can keep only the candidates the fast expansion cannot rule out.
 *
 * @example
 * const { norms, bound } = centredNorms;
 * const lowerBound = norms[i] + score - bound(i);
 */
export interface CentredNorms {
  readonly norms: Float32Array;
  /** A bound on |approx(i, j) − exact(i, j)| over every j (worst-case float32 error analysis, slack included). */
  bound(i: number): number;
}

/**
 * Walks the N×N approximate squared-distance matrix of `rows` (`n × d` float32) in row blocks of at most 4 Mi
 * values: centre (the expansion loses everything far from the origin otherwise), then one TF.js matMul per
 * block. With `points`, only those rows of the matrix (in that order). Only `visit`'s block is alive at a
 * time; every tensor is disposed before this returns.
 *
 * @example
 * forEachScoreBlock(rows, n, d, (block, centred) => {
 *   const approx = centred.norms[block.start] + block.scores[0];
 * });
 */
export function forEachScoreBlock(
  rows: Float32Array,
  n: number,
  d: number,
  visit: (block: ScoreBlock, centred: CentredNorms) => void,
  points?: Int32Array,
): void {
  const count = points?.length ?? n;
  if (n === 0 || count === 0) return;
  const { centred, centredNorms } = centreRows(rows, n, d);
  try {
    const norms = centredNorms.norms;
    const rowsPerBlock = Math.max(1, Math.floor(blockElements / n));
    const normsRow = tf.tensor2d(norms, [1, n], 'float32');
    // −2·Cᵀ materialised once: wasm's matMul with transposeB is many times slower than a plain product, and
    // the factor −2 (exact in float32) saves a pass over every block.
    const centredT = tf.tidy(() => tf.mul(tf.transpose(centred), tf.scalar(-2)));
    try {
      for (let start = 0; start < count; start += rowsPerBlock) {
        const size = Math.min(rowsPerBlock, count - start);
        const block = tf.tidy(() => {
          const blockRows =
            points === undefined
              ? tf.slice(centred, [start, 0], [size, d])
              : tf.gather(centred, tf.tensor1d(points.subarray(start, start + size), 'int32'));
          return tf.add(normsRow, tf.matMul(blockRows, centredT));
        });
        const scores = block.dataSync() as Float32Array;
        block.dispose();
        visit({ start, rows: size, scores, ...(points === undefined ? {} : { points }) }, centredNorms);
      }
    } finally {
      normsRow.dispose();
      centredT.dispose();
    }
  } finally {
    centred.dispose();
  }
}

/**
 * The rows centred on TF.js (the caller disposes `centred`), their squared norms as TF.js computed them, and
 * the error bound of the expansion built on them.
 *
 * @example
 * const { centred, centredNorms } = centreRows(rows, n, d);
 * centred.dispose();
 */
export function centreRows(
  rows: Float32Array,
  n: number,
  d: number,
): { centred: tf.Tensor2D; centredNorms: CentredNorms } {
  const centred = tf.tidy(() => {
    const x = tf.tensor2d(rows, [n, d], 'float32');
    return tf.sub<tf.Tensor2D>(x, tf.mean(x, 0, true));
  });
  const normsTensor = tf.tidy(() => tf.sum(tf.square(centred), 1));
  const norms = normsTensor.dataSync() as Float32Array;
  normsTensor.dispose();
  let largest = 0;
  for (const value of norms) largest = Math.max(largest, value);
  // Centring, the norms, the dot products (any summation order) and the final sums each lose at most
  // (d + small)·u relative to ‖c_i‖² + ‖c_j‖²; twice that plus slack is a safe bound.
  const factor = (2 * d + 32) * float32Unit;
  return {
    centred,
    centredNorms: { norms, bound: (i) => factor * ((norms[i] as number) + largest) + 1e-30 },
  };
}
