import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

import { gradientDepth, releaseAbandonedTape, withGradientCleanup } from './engine-tape.js';
import { withGradientOverride } from './gradient-registry.js';

// A gradient that throws during backpropagation, as a failing hook does.
const failing: tf.GradConfig = {
  kernelName: 'Square',
  gradFunc: () => {
    throw new Error('backward failed');
  },
};

describe('withGradientCleanup', () => {
  it('releases the tape tfjs-core abandons when backpropagation throws, so nothing leaks', () => {
    const x = tf.tensor1d([1, 2]);
    expect(() =>
      tf.tidy(() =>
        withGradientCleanup(() =>
          withGradientOverride(failing, () => tf.grad((v: tf.Tensor) => tf.sum(tf.exp(tf.square(v))))(x)),
        ),
      ),
    ).toThrow('backward failed');
    expect(gradientDepth()).toBe(0);
    // The tape is gone: a later op is not recorded (the leak guard would see saved tensors otherwise).
    const y = tf.exp(x);
    tf.dispose([x, y]);
  });

  it('returns the result when nothing throws', () => {
    const x = tf.tensor1d([3]);
    const g = withGradientCleanup(() => tf.grad((v: tf.Tensor) => tf.sum(tf.square(v)))(x));
    expect(g).toBeCloseToTensor([6]);
    tf.dispose([x, g]);
  });
});

describe('releaseAbandonedTape', () => {
  it('leaves the tape of an enclosing gradient alone', () => {
    const x = tf.tensor1d([2]);
    const g = tf.grad((v: tf.Tensor) => {
      releaseAbandonedTape(); // inside tf.grad: the tape is the enclosing gradient's
      return tf.sum(tf.square(v));
    })(x);
    expect(g).toBeCloseToTensor([4]);
    tf.dispose([x, g]);
  });
});
