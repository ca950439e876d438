import type * as tf from '@tensorflow/tfjs-core';

import { Module } from '@tdhook/core';

/**
 * An identity module that names a tensor of the forward pass, as TransformerLens's `HookPoint` does: it
 * computes nothing, so hooks on it (core's `registerHook`, `HookSession`, methods) read or replace exactly
 * that tensor, and its gradient hooks see the gradient the rest of the model receives from it. For LRP it is
 * a reshape (relevance passes through unchanged).
 *
 * @example
 * readonly hookQ: HookPoint = this.registerModule('hook_q', new HookPoint());
 * const q = this.hookQ.call(rawQ); // hooks on 'blocks.0.attn.hook_q' see and may replace q
 */
export class HookPoint extends Module {
  /** LRP's kind for an identity: relevance passes through. */
  readonly lrpKind = 'reshape' as const;

  forward(x: tf.Tensor): tf.Tensor {
    return x;
  }
}
