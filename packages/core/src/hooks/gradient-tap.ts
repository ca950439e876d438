import * as tf from '@tensorflow/tfjs-core';

/**
 * Passes `x` through unchanged, but routes the gradient flowing back into it through `onGradient`, which may
 * return a replacement. This is how backward hooks work inside `tf.grad`, `tf.grads` and `tf.variableGrads`:
 * a custom-gradient identity on the module's inputs or outputs.
 */
export function gradientTap(x: tf.Tensor, onGradient: (gradient: tf.Tensor) => tf.Tensor): tf.Tensor {
  // Integer tensors (token ids, masks) carry no gradient.
  if (x.dtype !== 'float32') return x;
  const tap = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => ({
    // A new tensor: the gradient tape cannot record a node whose output is its own input.
    value: tf.clone(args[0] as tf.Tensor),
    gradFunc: (dy: tf.Tensor) => onGradient(dy),
  }));
  return tap(x);
}
