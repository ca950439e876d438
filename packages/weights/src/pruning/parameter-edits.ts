import * as tf from '@tensorflow/tfjs-core';

/**
 * The parameter edits of one pruning, with copies of what they replaced: `undo()` writes the copies back (bit
 * for bit: the saved values, never recomputed), newest first, and releases them.
 *
 * @example
 * const edits = new ParameterEdits();
 * edits.zero(kernel, mask);
 * edits.undo(); // kernel as it was
 */
export class ParameterEdits {
  readonly #saved: { readonly variable: tf.Variable; readonly original: tf.Tensor }[] = [];

  /** Zeroes the entries of `variable` whose flag in `mask` (flat, row-major) is 1. */
  zero(variable: tf.Variable, mask: Uint8Array): void {
    if (!mask.includes(1)) return;
    const values = Float32Array.from(variable.dataSync() as Float32Array);
    for (let index = 0; index < values.length; index += 1) if (mask[index] === 1) values[index] = 0;
    // Saved before the write, so that undo covers it even if the write throws.
    this.#saved.push({ variable, original: tf.keep(tf.clone(variable)) });
    const updated = tf.tensor(values, variable.shape, 'float32');
    try {
      variable.assign(updated);
    } finally {
      // The variable now shares the data; this handle is ours to drop.
      updated.dispose();
    }
  }

  /** Writes every saved original back, newest first; the first failure is rethrown after the rest ran. */
  undo(): void {
    let failure: unknown;
    for (const { variable, original } of this.#saved.splice(0).reverse()) {
      try {
        if (!variable.isDisposed) variable.assign(original);
      } catch (error) {
        failure ??= error;
      } finally {
        original.dispose();
      }
    }
    if (failure !== undefined) throw failure;
  }
}
