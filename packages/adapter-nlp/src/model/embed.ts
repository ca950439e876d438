import * as tf from '@tensorflow/tfjs-core';

import { Module } from '@tdhook/core';

import type { ParameterSource } from './parameter-source.js';

/**
 * The token embedding: row `id` of `W_E` `[dVocab, dModel]` (HF `wte.weight`) for every token. The
 * unembedding is tied to the same matrix.
 *
 * @example
 * const embed = new Embed(96, 64, source);
 * embed.call(tokens); // int32 [batch, pos] → [batch, pos, 64]
 */
export class Embed extends Module {
  /** `W_E`, `[dVocab, dModel]`. */
  readonly weight: tf.Variable;

  constructor(dVocab: number, dModel: number, source: ParameterSource) {
    super();
    this.weight = this.registerParameter('W_E', source('W_E', [dVocab, dModel]));
  }

  forward(tokens: tf.Tensor): tf.Tensor {
    return tf.gather(this.weight, tokens);
  }
}
