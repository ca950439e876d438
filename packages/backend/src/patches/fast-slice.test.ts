import * as tf from '@tensorflow/tfjs-core';
import { findKernel } from '@tdhook/tfjs-internals';
import { describe, expect, inject, it } from 'vitest';

import { fastSlicePatch } from './fast-slice.js';
import { onStockCpu } from './on-cpu.js';

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

const values = (tensors: tf.Tensor[]): { shape: number[]; data: number[] }[] =>
  tensors.map((t) => ({ shape: t.shape, data: Array.from(t.dataSync()) }));

describe('wasm/Slice', () => {
  it.runIf(backend === 'wasm')(
    'gives stock cpu’s values and shapes exactly, and undoes to stock',
    async () => {
      const expected = await onStockCpu(() => tf.tidy(() => values(slices())));
      const stock = findKernel('Slice', 'wasm');
      const undo = fastSlicePatch.install('wasm');
      try {
        expect(findKernel('Slice', 'wasm')).not.toBe(stock);
        expect(tf.tidy(() => values(slices()))).toEqual(expected);
        // The gradient (a pad) is unchanged.
        const gradient = tf.tidy(() =>
          Array.from(
            tf
              .grad((x: tf.Tensor) => tf.sum(tf.slice(x, [0, 1], [-1, 2])))(tf.ones([2, 4]))
              .dataSync(),
          ),
        );
        expect(gradient).toEqual([0, 1, 1, 0, 0, 1, 1, 0]);
      } finally {
        undo();
      }
      expect(findKernel('Slice', 'wasm')).toBe(stock);
    },
  );

  it('applies to wasm only, with a self-test', () => {
    expect(fastSlicePatch.backends).toEqual(['wasm']);
    expect(fastSlicePatch.kind).toBe('fast-kernel');
    expect(fastSlicePatch.selfTest?.expected).toBeUndefined();
  });
});
