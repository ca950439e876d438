import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, inject, it } from 'vitest';

import { cpuFastTilePatch, fastTilePatch } from './fast-tile.js';
import { expectFastKernelParity } from '../../test/patch-test-support.js';

const backend = inject('tdhookBackend');

/** Tiles of ranks 1 to 5 along every combination of axes, broadcasts, where's broadcasting, ints and bools. */
function tiles(): tf.Tensor[] {
  const data = (shape: number[]): tf.Tensor =>
    tf.reshape(tf.range(0, tf.util.sizeFromShape(shape), 1), shape);
  const causal = tf.lessEqual(tf.reshape(tf.range(0, 5), [1, 5]), tf.reshape(tf.range(0, 5), [5, 1]));
  return [
    tf.tile(data([4]), [3]),
    tf.tile(data([2, 3]), [2, 2]),
    tf.tile(data([2, 3]), [1, 1]),
    tf.tile(data([1, 3, 1, 2]), [4, 1, 3, 1]),
    tf.tile(data([2, 1, 3, 1, 2]), [1, 2, 1, 3, 2]),
    tf.broadcastTo(data([1, 2, 1, 3]), [3, 2, 4, 3]),
    tf.where(tf.broadcastTo(causal, [2, 3, 5, 5]), tf.ones([2, 3, 5, 5]), tf.fill([2, 3, 5, 5], -1)),
    tf.where(
      tf.reshape(tf.tensor1d([true, false, true], 'bool'), [3, 1, 1]),
      data([1, 2, 4]),
      data([3, 2, 4]),
    ),
    tf.cast(tf.tile(tf.cast(data([2, 3]), 'int32'), [3, 2]), 'float32'),
  ];
}

describe('wasm/Tile and cpu/Tile', () => {
  const patch = backend === 'wasm' ? fastTilePatch : cpuFastTilePatch;

  it(`${backend}: gives stock cpu’s values and shapes exactly, passes its self-test, and undoes to stock`, async () => {
    await expectFastKernelParity(patch, 'Tile', backend, tiles, () => {
      // The gradient (a sum over the copies) is unchanged.
      const gradient = tf.tidy(() =>
        Array.from(
          tf
            .grad((x: tf.Tensor) => tf.sum(tf.tile(x, [3, 1])))(tf.ones([1, 2]))
            .dataSync(),
        ),
      );
      expect(gradient).toEqual([3, 3]);
    });
  });

  it('one per backend, fast kernels with self-tests; the cpu one with values worked out by hand', () => {
    expect([fastTilePatch.id, cpuFastTilePatch.id]).toEqual(['wasm/Tile', 'cpu/Tile']);
    for (const each of [fastTilePatch, cpuFastTilePatch]) expect(each.kind).toBe('fast-kernel');
    expect(fastTilePatch.selfTest?.expected).toBeUndefined();
    expect(cpuFastTilePatch.selfTest?.expected).toHaveLength(4);
  });
});
