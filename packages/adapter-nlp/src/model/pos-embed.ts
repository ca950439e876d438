import * as tf from '@tensorflow/tfjs-core';

import { Module } from '@tdhook/core';

import type { ParameterSource } from './parameter-source.js';

/**
 * The learned position embedding: rows `start … start + pos − 1` of `W_pos` `[nCtx, dModel]` (HF
 * `wpe.weight`), broadcast over the batch of `tokens` (only their shape is read). `start` is 0 except when a
 * key/value cache holds the earlier positions.
 *
 * @example
 * const posEmbed = new PosEmbed(32, 64, source);
 * posEmbed.call(tokens); // [batch, pos, 64]
 */
export class PosEmbed extends Module<[tf.Tensor, number?]> {
  /** `W_pos`, `[nCtx, dModel]`. */
  readonly weight: tf.Variable;

  constructor(nCtx: number, dModel: number, source: ParameterSource) {
    super();
    this.weight = this.registerParameter('W_pos', source('W_pos', [nCtx, dModel]));
  }

  forward(tokens: tf.Tensor, start = 0): tf.Tensor {
    const [batch = 1, length = 0] = tokens.shape;
    const dModel = this.weight.shape[1] ?? 0;
    return tf.tidy(() => {
      const rows = tf.expandDims(tf.slice(this.weight, [start, 0], [length, dModel]), 0);
      // One copy per sample, concatenated: broadcastTo would run the Tile kernel (~100 ns per element on wasm
      // and cpu), concat copies whole blocks.
      return batch === 1
        ? rows
        : tf.concat(
            Array.from({ length: batch }, () => rows),
            0,
          );
    });
  }
}
