import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

import { createLeakGuard, expectNoTensorLeak, TensorLeakError } from './leak-guard.js';

describe('leak guard', () => {
  it('passes code that disposes what it creates and returns its value', async () => {
    const value = await expectNoTensorLeak(() => tf.tidy(() => tf.sum(tf.ones([3])).dataSync()[0]));
    expect(value).toBe(3);
  });

  it('throws a TensorLeakError that says how many tensors leaked', async () => {
    let leaked: tf.Tensor | undefined;
    await expect(
      expectNoTensorLeak(() => {
        leaked = tf.zeros([2]);
      }, 'the zeros call'),
    ).rejects.toThrow(/the zeros call leaked 1 tensor\(s\): tf.memory\(\).numTensors went from \d+ to \d+/);
    leaked?.dispose();
  });

  it('catches tensors disposed that the code did not own', () => {
    const outer = tf.zeros([1]);
    const guard = createLeakGuard();
    guard.start();
    outer.dispose();
    expect(() => {
      guard.check('a test');
    }).toThrow(TensorLeakError);
    expect(() => {
      guard.check('a test');
    }).not.toThrow(); // a guard checks once per start()
  });
});
