import * as tf from '@tensorflow/tfjs-core';
import { applyParameters, TensorDict, type ModelNode } from '@tdhook/core';

/**
 * A parameter to zero in part: its key, its current value and which entries go (flat, row-major, 1 = zeroed).
 *
 * @example
 * const edit: ZeroEdit = { key: 'fc1.kernel', value, mask };
 */
export interface ZeroEdit {
  readonly key: string;
  readonly value: tf.Tensor;
  readonly mask: Uint8Array;
}

/**
 * The parameter writes of one pruning, made through core's `applyParameters` (checked, all or nothing, the
 * originals kept as snapshots): `undo()` puts every original back, bit for bit, newest write first.
 *
 * @example
 * const edits = new ParameterEdits(model);
 * edits.zero([{ key: 'fc1.kernel', value, mask }]);
 * edits.undo(); // fc1's kernel as it was
 */
export class ParameterEdits {
  readonly #model: ModelNode;
  readonly #restores: (() => void)[] = [];

  constructor(model: ModelNode) {
    this.#model = model;
  }

  /** Writes each value with its masked entries zeroed, in one checked write; a mask with no 1 is skipped. */
  zero(edits: readonly ZeroEdit[]): void {
    const changed = edits.filter(({ mask }) => mask.includes(1));
    if (changed.length === 0) return;
    using pruned = new TensorDict(
      changed.map(({ key, value, mask }) => {
        const values = Float32Array.from(value.dataSync() as Float32Array);
        for (let index = 0; index < values.length; index += 1) if (mask[index] === 1) values[index] = 0;
        return [key, tf.tensor(values, value.shape, 'float32')] as const;
      }),
    );
    // The model shares the written data; the dict's handles are ours to drop.
    this.#restores.push(applyParameters(this.#model, pruned));
  }

  /** Puts back what every write replaced, newest first; the first failure is rethrown after the rest ran. */
  undo(): void {
    let failure: { error: unknown } | undefined;
    for (const restore of this.#restores.splice(0).reverse()) {
      try {
        restore();
      } catch (error) {
        failure ??= { error };
      }
    }
    if (failure !== undefined) throw failure.error;
  }
}
