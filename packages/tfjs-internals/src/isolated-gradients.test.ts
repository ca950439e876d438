import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

import { gradientDepth } from './engine-tape.js';
import { isolatedGradients } from './isolated-gradients.js';

describe('isolatedGradients', () => {
  it('computes tf.grads on its own tape inside an enclosing tf.grad, which still gets its gradient', () => {
    const x = tf.tensor1d([1, 2, 3]);
    const depths: number[] = [];
    // The outer gradient's custom backward computes a nested gradient: without isolation that would
    // replace the outer tape and drop it.
    const outer = tf.grad((input: tf.Tensor) => {
      depths.push(gradientDepth());
      const custom = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
        const [value, save] = args as [tf.Tensor, tf.GradSaveFunc];
        save([value]);
        return {
          value: tf.square(value),
          gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
            const [inner] = isolatedGradients((v) => tf.square(v), [saved[0] as tf.Tensor], dy as tf.Tensor);
            depths.push(gradientDepth());
            return [inner as tf.Tensor];
          },
        };
      });
      return tf.sum(tf.mul(custom(input), 3));
    })(x);
    expect(outer).toBeCloseToTensor([6, 12, 18]); // 3 · 2x
    expect(depths).toEqual([1, 0]);
    expect(gradientDepth()).toBe(0);
    tf.dispose([x, outer]);
  });

  it('releases its own tape when f throws, and leaves the enclosing state as it was', () => {
    const x = tf.tensor1d([1, 2]);
    const dy = tf.onesLike(x);
    expect(() =>
      isolatedGradients(
        (v) => {
          tf.square(v); // saved on the isolated tape
          throw new Error('boom');
        },
        [x],
        dy,
      ),
    ).toThrow('boom');
    expect(gradientDepth()).toBe(0);
    tf.dispose([x, dy]);
  });
});
