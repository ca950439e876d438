// chunkMask, the mask of one patched pass, equals siteMask per cell repeated over the samples: sites at other
// paths give false rows, negative axes and indices, several units, whole values and rank-1 values.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import type {} from '@tdhook/testing/vitest';

import { chunkMask } from '../src/grid/chunk-mask.js';
import { siteMask, type PatchSite } from '../src/index.js';

/** The mask the hand way: each cell's siteMask (or all false) broadcast over its samples, stacked. */
function expectedMask(cells: readonly PatchSite[], path: string, shape: readonly number[]): tf.Tensor {
  return tf.tidy(() => {
    const [samples = 0, ...rest] = shape;
    const blocks = cells.map((site) =>
      site.path === path
        ? tf.broadcastTo(siteMask(site, shape), [samples, ...rest])
        : tf.zeros([samples, ...rest], 'bool'),
    );
    return tf.cast(tf.concat(blocks, 0), 'int32');
  });
}

describe('chunkMask', () => {
  it('equals siteMask per cell, repeated over the samples', () => {
    const cells: PatchSite[] = [
      { path: 'z', units: [{ axis: 2, index: 1 }], label: 'head 1' },
      { path: 'other', units: [], label: 'elsewhere' },
      {
        path: 'z',
        units: [
          { axis: -3, index: -1 },
          { axis: -2, index: 0 },
        ],
        label: 'last position, head 0',
      },
      { path: 'z', units: [], label: 'all' },
      {
        path: 'z',
        units: [
          { axis: 3, index: 2 },
          { axis: 1, index: 3 },
          { axis: 2, index: 2 },
        ],
        label: 'one',
      },
    ];
    const shape = [3, 5, 4, 6];
    const mask = chunkMask(cells, 'z', shape);
    expect(mask.dtype).toBe('bool');
    expect(mask.shape).toEqual([15, 5, 4, 6]);
    const expected = expectedMask(cells, 'z', shape);
    const actual = tf.cast(mask, 'int32');
    expect(Array.from(actual.dataSync())).toEqual(Array.from(expected.dataSync()));
    tf.dispose([mask, expected, actual]);
  });

  it('rank-1 and rank-2 values, and a pass with no cell at the path', () => {
    const whole: PatchSite = { path: 'p', units: [], label: 'p' };
    const unit: PatchSite = { path: 'p', units: [{ axis: -1, index: 2 }], label: 'p #2' };
    const one = chunkMask([whole, { ...whole, path: 'q' }], 'p', [2]);
    expect(Array.from(one.dataSync())).toEqual([1, 1, 0, 0]);
    const two = chunkMask([unit], 'p', [2, 3]);
    expect(Array.from(two.dataSync())).toEqual([0, 0, 1, 0, 0, 1]);
    const none = chunkMask([unit], 'q', [2, 3]);
    expect(Array.from(none.dataSync())).toEqual([0, 0, 0, 0, 0, 0]);
    tf.dispose([one, two, none]);
  });
});
