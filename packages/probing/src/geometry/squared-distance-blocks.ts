import * as tf from '@tensorflow/tfjs-core';

/** At most this many float32 values of an N×N matrix exist at once (16 MiB). */
const blockElements = 1 << 22;

/**
 * Row blocks of an N×N matrix derived from squared L2 distances, computed by TF.js from centred rows through
 * the expansion ‖cᵢ‖² + ‖cⱼ‖² − 2cᵢ·cⱼ (clamped at 0). For kernels and medians, where float32 relative accuracy
 * is what the result needs; neighbour choices use {@link nearestValidNeighbours} instead.
 *
 * @example
 * using blocks = new SquaredDistanceBlocks(rows, n, d);
 * const values = blocks.read(0, blocks.rowsPerBlock); // rowsPerBlock × n
 */
export class SquaredDistanceBlocks {
  readonly n: number;
  readonly d: number;
  /** Rows per block, so that a block holds at most 4 Mi values. */
  readonly rowsPerBlock: number;
  readonly #centred: tf.Tensor2D;
  readonly #norms: tf.Tensor2D;
  // −2·Cᵀ, materialised: wasm's matMul with transposeB is many times slower than a plain product, and the
  // factor −2 (exact in float32) saves a pass over every block.
  readonly #centredT: tf.Tensor2D;

  constructor(rows: Float32Array, n: number, d: number, rowsPerBlock?: number) {
    this.n = n;
    this.d = d;
    this.rowsPerBlock = rowsPerBlock ?? Math.max(1, Math.floor(blockElements / Math.max(1, n)));
    this.#centred = tf.tidy(() => {
      const x = tf.tensor2d(rows, [n, d], 'float32');
      return tf.sub(x, tf.mean(x, 0, true));
    });
    this.#centredT = tf.tidy(() => tf.mul(tf.transpose(this.#centred), tf.scalar(-2)));
    this.#norms = tf.tidy(() => tf.reshape(tf.sum(tf.square(this.#centred), 1), [1, n]));
  }

  /**
   * Rows `start .. start + size` of `f(D²)` as float32, `f` applied by TF.js (identity when omitted).
   *
   * @example
   * const kernel = blocks.read(0, 64, (d2) => tf.exp(tf.mul(d2, -0.5)));
   */
  read(start: number, size: number, f?: (squared: tf.Tensor) => tf.Tensor): Float32Array {
    const block = tf.tidy(() => {
      const rows = tf.slice(this.#centred, [start, 0], [size, this.d]);
      const rowNorms = tf.reshape(tf.slice(this.#norms, [0, start], [1, size]), [size, 1]);
      const squared = tf.relu(tf.add(tf.add(rowNorms, this.#norms), tf.matMul(rows, this.#centredT)));
      return f === undefined ? squared : f(squared);
    });
    const values = block.dataSync() as Float32Array;
    block.dispose();
    return values;
  }

  [Symbol.dispose](): void {
    this.dispose();
  }

  dispose(): void {
    this.#centred.dispose();
    this.#norms.dispose();
    this.#centredT.dispose();
  }
}
