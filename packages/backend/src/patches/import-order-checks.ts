// What both import-order tests check (each runs in a process of its own, so that tfjs-layers is imported
// before initBackend() in one and after it in the other): every gradient patch still in force.
import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';

/** d/dW of Σ matMul(A, W)·C for A [2,3,4] and W [4,5] (a 3-D times a 2-D operand), and the reference. */
export function broadcastMatMulGradient(): { actual: tf.Tensor; expected: tf.Tensor } {
  return tf.tidy(() => {
    const a = tf.tensor3d(
      Array.from({ length: 24 }, (_, i) => Math.sin(i)),
      [2, 3, 4],
    );
    const c = tf.tensor3d(
      Array.from({ length: 30 }, (_, i) => Math.cos(i)),
      [2, 3, 5],
    );
    const w = tf.ones([4, 5]);
    const actual = tf.grad((weight: tf.Tensor) => tf.sum(tf.mul(tf.matMul(a, weight), c)))(w);
    // Σ over the batch of Aᵦᵀ·Cᵦ, by forward matmuls only.
    const expected = tf.sum(tf.matMul(a, c, true, false), 0);
    return { actual, expected };
  });
}

/** Asserts that the BatchMatMul-gradient and comparison-gradient patches work. */
export function expectGradientPatchesInForce(): void {
  const { actual, expected } = broadcastMatMulGradient();
  expect(actual.shape).toEqual([4, 5]);
  expect(actual).toBeCloseToTensor(expected, { rtol: 1e-5, atol: 1e-5 });
  const x = tf.tensor1d([-1, 2, -3, 4]);
  const comparison = tf.grad((v: tf.Tensor) =>
    tf.sum(tf.where(tf.greater(v, 0), tf.square(v), tf.mul(v, 0.1))),
  )(x);
  expect(comparison).toBeCloseToTensor([0.1, 4, 0.1, 8], { rtol: 1e-6, atol: 1e-6 });
  tf.dispose([actual, expected, x, comparison]);
}
