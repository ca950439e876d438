import * as tf from '@tensorflow/tfjs-core';

import { engine } from './engine-access.js';
import { onIsolatedTape } from './engine-internals.js';

/**
 * `tf.grads(f)(xs, dy)` computed on a tape of its own. Inside a backward pass (an LRP rule, a gradient hook),
 * a plain nested `tf.grads` would replace the tape of an enclosing `tf.grad` (tfjs-core 4.x keeps one active
 * tape per engine) and then discard it. The enclosing tape and depth are put back afterwards.
 *
 * @example
 * // inside a custom gradient: the gradient of a layer's output w.r.t. its input, seeded with dy
 * const [dx] = isolatedGradients((input) => tf.matMul(input, w), [x], dy);
 */
export function isolatedGradients(
  f: (...xs: tf.Tensor[]) => tf.Tensor,
  xs: readonly tf.Tensor[],
  dy: tf.Tensor,
): tf.Tensor[] {
  return onIsolatedTape(engine(), () => tf.grads(f)([...xs], dy));
}
