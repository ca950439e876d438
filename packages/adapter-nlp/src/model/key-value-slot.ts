import type * as tf from '@tensorflow/tfjs-core';

/**
 * The keys and values of one layer for the positions seen so far, as `hook_k` / `hook_v` output them:
 * `[batch, pos, head, d_head]` each.
 *
 * @example
 * const entry: LayerKeyValues = { key: tf.zeros([1, 5, 4, 16]), value: tf.zeros([1, 5, 4, 16]) };
 */
export interface LayerKeyValues {
  readonly key: tf.Tensor;
  readonly value: tf.Tensor;
}

/**
 * What one attention call reads from and writes to a key/value cache: the earlier positions' keys and
 * values (`past`, absent on the first call) and, after the call, those of every position so far
 * (`present` = past followed by this call's). A class instance, not a plain object, so that hooks pass it
 * through untouched.
 *
 * @example
 * const slot = new KeyValueSlot(past);
 * attention.call(x, slot);
 * slot.present; // { key: [batch, pastLength + pos, head, d_head], value: … }
 */
export class KeyValueSlot {
  readonly past: LayerKeyValues | undefined;
  present: LayerKeyValues | undefined = undefined;

  constructor(past?: LayerKeyValues) {
    this.past = past;
  }

  /** The number of earlier positions: the position of this call's first token. */
  get start(): number {
    return this.past?.key.shape[1] ?? 0;
  }
}
