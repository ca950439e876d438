import * as tf from '@tensorflow/tfjs-core';

import { Module } from '@tdhook/core';

/**
 * A residual connection, `a + b`, as a parameter-free module: LRP treats it as a merge (its relevance is
 * shared in proportion to the two inputs), and hooks on it see both terms.
 *
 * @example
 * readonly residAddAttn: ResidualAdd = this.registerModule('resid_add_attn', new ResidualAdd());
 * const mid = this.residAddAttn.call(residPre, attnOut);
 */
export class ResidualAdd extends Module<[tf.Tensor, tf.Tensor]> {
  /** LRP's kind: a sum of inputs. */
  readonly lrpKind = 'merge' as const;

  forward(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
    return tf.add(a, b);
  }
}
