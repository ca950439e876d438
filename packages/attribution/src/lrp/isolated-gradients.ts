import * as tf from '@tensorflow/tfjs-core';

import { engineTape } from '../engine/engine-tape.js';

/**
 * `tf.grads(f)(xs, dy)` computed on a tape of its own. Rules run inside a backward pass; a plain nested
 * `tf.grads` there would replace the tape of an enclosing `tf.grad` (tfjs-core 4.x keeps one active tape per
 * engine) and then discard it. The outer tape and depth are put back afterwards.
 */
export function isolatedGradients(
  f: (...xs: tf.Tensor[]) => tf.Tensor,
  xs: readonly tf.Tensor[],
  dy: tf.Tensor,
): tf.Tensor[] {
  const { state } = engineTape();
  const { activeTape, gradientDepth } = state;
  state.gradientDepth = 0;
  try {
    return tf.grads(f)([...xs], dy);
  } finally {
    state.activeTape = activeTape;
    state.gradientDepth = gradientDepth;
  }
}
