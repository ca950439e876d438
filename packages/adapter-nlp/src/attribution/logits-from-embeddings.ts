import * as tf from '@tensorflow/tfjs-core';

import { Module } from '@tdhook/core';

import type { HookedTransformer } from '../model/hooked-transformer.js';

/**
 * A model as attribution methods see it for token attribution: token embeddings `[batch, pos, dModel]`
 * (what `hook_embed` outputs) in, the logits at one position `[batch, dVocab]` out — captum's
 * `LayerIntegratedGradients` on `wte`. The transformer is a child (`model`), so LRP rules and hooks reach
 * its modules; it stays the caller's: disposing this wrapper leaves it alone.
 *
 * @example
 * const wrapper = new LogitsFromEmbeddings(model, 11); // the logits at position 11
 * using prepared = saliency({ target: { select: [51] } }).prepare(wrapper);
 * using data = new TensorDict({ input: model.embed.call(tokens) }, { batchShape: [1] });
 * using result = prepared.run(data); // ['attr', 'input']: ∂logit[51]/∂embedding
 */
export class LogitsFromEmbeddings extends Module {
  readonly model: HookedTransformer;
  readonly position: number;

  constructor(model: HookedTransformer, position: number) {
    super();
    this.model = this.registerModule('model', model);
    this.position = position;
  }

  forward(embed: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const logits = this.model.forwardFromEmbeddings(embed);
      const [batch = 0, , vocab = 0] = logits.shape;
      return tf.reshape(tf.slice(logits, [0, this.position, 0], [batch, 1, vocab]), [batch, vocab]);
    });
  }

  /** Nothing to release: the transformer belongs to the caller. */
  override dispose(): void {
    // The wrapped model is not ours to dispose.
  }
}
