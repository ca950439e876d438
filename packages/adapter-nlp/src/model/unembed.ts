import * as tf from '@tensorflow/tfjs-core';

import { Module } from '@tdhook/core';

import type { Conv1DParameters } from './conv1d.js';
import type { Embed } from './embed.js';

/**
 * The unembedding, tied to the token embedding: `logits = h · W_Eᵀ` (no bias). It holds no parameter of its
 * own; `kernel` is the embedding's `W_E` `[dVocab, dModel]`, and `forwardWith` makes it an affine layer for
 * LRP (rules transform the kernel elementwise, so its layout does not matter to them).
 *
 * @example
 * const unembed = new Unembed(embed);
 * unembed.call(lnFinalOutput); // [batch, pos, dVocab]
 */
export class Unembed extends Module {
  /** LRP's kind: an affine layer. */
  readonly lrpKind = 'dense' as const;
  readonly #embed: Embed;

  constructor(embed: Embed) {
    super();
    this.#embed = embed;
  }

  /** The tied matrix `W_E`, `[dVocab, dModel]`. */
  get kernel(): tf.Variable {
    return this.#embed.weight;
  }

  /**
   * `x · kernelᵀ (+ bias)` on the last axis.
   *
   * @example
   * unembed.forwardWith(h, { kernel: tf.relu(unembed.kernel) });
   */
  forwardWith(x: tf.Tensor, { kernel, bias }: Conv1DParameters): tf.Tensor {
    return tf.tidy(() => {
      const w = (kernel ?? this.kernel) as tf.Tensor2D;
      const dModel = x.shape.at(-1) ?? 0;
      const product = tf.matMul(tf.reshape<tf.Rank.R2>(x, [-1, dModel]), w, false, true);
      const shifted = bias === undefined ? product : tf.add(product, bias);
      return tf.reshape(shifted, [...x.shape.slice(0, -1), w.shape[0]]);
    });
  }

  forward(x: tf.Tensor): tf.Tensor {
    return this.forwardWith(x, { kernel: this.kernel });
  }
}
