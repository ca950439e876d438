import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, inject, it } from 'vitest';

import { cpuFastSlicePatch, fastSlicePatch } from './fast-slice.js';
import { expectFastKernelParity } from '../../test/patch-test-support.js';

const backend = inject('tdhookBackend');

/** Slices of every rank from 1 to 5, contiguous and strided, negative sizes, ints and bools. */
function slices(): tf.Tensor[] {
  const data = (shape: number[]): tf.Tensor =>
    tf.reshape(tf.range(0, tf.util.sizeFromShape(shape), 1), shape);
  const x2 = data([64, 128]);
  const x3 = data([3, 5, 7]);
  const x5 = data([2, 3, 2, 4, 3]);
  const ints = tf.cast(data([4, 6]), 'int32');
  const bools = tf.greater(data([4, 6]), 10);
  return [
    tf.slice(data([10]), [3], [5]),
    tf.slice(x2, [0, 37], [-1, 1]),
    tf.slice(x2, [0, 0], [-1, 37]),
    tf.slice(x2, [0, 38], [-1, -1]),
    tf.slice(x2, [5, 0], [7, -1]),
    tf.slice(x3, [1, 2, 3], [2, 3, 4]),
    tf.slice(x3, [0, 0, 6], [3, 5, 1]),
    tf.slice(data([2, 3, 4, 5]), [1, 0, 1, 2], [1, 3, 2, 3]),
    tf.slice(x5, [1, 1, 0, 2, 1], [1, 2, 2, 2, 2]),
    tf.cast(tf.slice(ints, [1, 2], [3, 3]), 'float32'),
    tf.cast(tf.slice(bools, [0, 1], [4, 4]), 'float32'),
  ];
}

describe('wasm/Slice and cpu/Slice', () => {
  const patch = backend === 'wasm' ? fastSlicePatch : cpuFastSlicePatch;

  it(`${backend}: gives stock cpu’s values and shapes exactly, passes its self-test, and undoes to stock`, async () => {
    await expectFastKernelParity(patch, 'Slice', backend, slices, () => {
      // The gradient (a pad) is unchanged.
      const gradient = tf.tidy(() =>
        Array.from(
          tf
            .grad((x: tf.Tensor) => tf.sum(tf.slice(x, [0, 1], [-1, 2])))(tf.ones([2, 4]))
            .dataSync(),
        ),
      );
      expect(gradient).toEqual([0, 1, 1, 0, 0, 1, 1, 0]);
    });
  });

  it('one per backend, fast kernels with self-tests; the cpu one with values worked out by hand', () => {
    expect([fastSlicePatch.id, cpuFastSlicePatch.id]).toEqual(['wasm/Slice', 'cpu/Slice']);
    expect(fastSlicePatch.backends).toEqual(['wasm']);
    expect(cpuFastSlicePatch.backends).toEqual(['cpu']);
    for (const each of [fastSlicePatch, cpuFastSlicePatch]) expect(each.kind).toBe('fast-kernel');
    expect(fastSlicePatch.selfTest?.expected).toBeUndefined();
    expect(cpuFastSlicePatch.selfTest?.expected).toHaveLength(5);
  });
});
