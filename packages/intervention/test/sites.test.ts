// Sites, masks, metrics and labelled grids: the shared vocabulary of the grid methods.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import type {} from '@tdhook/testing/vitest';
import { TdhookError } from '@tdhook/core';

import {
  headPositionSites,
  headSites,
  LabelledGrid,
  layerPositionSites,
  logitDifference,
  checkMetricValue,
  siteGrid,
  siteMask,
  unitSites,
} from '../src/index.js';

describe('site grids', () => {
  it('lays transformer sites out row-major with labels', () => {
    const heads = headSites({ nLayers: 2, nHeads: 4 });
    expect(heads.shape).toEqual([2, 4]);
    expect(heads.sites[5]).toEqual({
      path: 'blocks.1.attn.hook_z',
      units: [{ axis: 2, index: 1 }],
      label: 'L1H1',
    });
    const resid = layerPositionSites({ nLayers: 2, nHeads: 4 }, { positions: 12 });
    expect(resid.shape).toEqual([2, 12]);
    expect(resid.sites[13]?.path).toBe('blocks.1.hook_resid_pre');
    const cells = headPositionSites({ nLayers: 2, nHeads: 4 }, { positions: 3 });
    expect(cells.shape).toEqual([2, 4, 3]);
    expect(cells.sites[3 * 4 + 2]?.label).toBe('L1H0 @2');
    expect(unitSites({ path: 'conv2', indices: [3, 5], name: 'channel' }).axes[0]?.name).toBe('channel');
  });

  it('refuses grids whose sites do not fill the axes, and bad units', () => {
    const bad = (run: () => unknown): unknown => {
      try {
        run();
      } catch (error) {
        return error;
      }
      return undefined;
    };
    expect(
      TdhookError.is(bad(() => siteGrid({ axes: [{ name: 'x', labels: ['a', 'b'] }], sites: [] }))),
    ).toBe(true);
    expect(
      TdhookError.is(
        bad(() =>
          siteGrid({
            axes: [{ name: 'x', labels: ['a'] }],
            sites: [{ path: 'p', units: [{ axis: 0, index: 0 }], label: 'a' }],
          }),
        ),
      ),
    ).toBe(true);
    expect(TdhookError.is(bad(() => layerPositionSites({ nLayers: 2, nHeads: 4 }, {})))).toBe(true);
  });
});

describe('siteMask', () => {
  it('marks exactly the selected elements and broadcasts over the batch', () => {
    const mask = siteMask(
      {
        path: 'z',
        units: [
          { axis: 1, index: 2 },
          { axis: -2, index: 1 },
        ],
        label: 'c',
      },
      [5, 3, 4, 2],
    );
    expect(mask.shape).toEqual([1, 3, 4, 2]);
    const values = mask.dataSync();
    let count = 0;
    values.forEach((value, flat) => {
      const position = Math.floor(flat / 8);
      const head = Math.floor(flat / 2) % 4;
      expect(Boolean(value)).toBe(position === 2 && head === 1);
      count += value;
    });
    expect(count).toBe(2);
    mask.dispose();
  });

  it('names the site when a unit is out of range', () => {
    expect(() =>
      siteMask({ path: 'z', units: [{ axis: 2, index: 9 }], label: 'L0H9' }, [1, 3, 4, 2]),
    ).toThrow(/L0H9/);
  });
});

describe('metrics', () => {
  it('logitDifference selects the answer minus the alternative at the last position, per row', () => {
    const logits = tf.tensor3d([
      [
        [0, 1, 2],
        [3, 4, 5],
      ],
      [
        [6, 7, 8],
        [9, 10, 12],
      ],
    ]);
    const metric = logitDifference({ answer: [2, 0], versus: 1 });
    const value = metric(logits, [logits]);
    expect(value).toBeCloseToTensor([1, -1], { atol: 0 });
    expect(checkMetricValue(value, 2, 'test')).toBe(value);
    const scalar = tf.scalar(1);
    expect(() => checkMetricValue(scalar, 2, 'test')).toThrow(/one number per sample/);
    scalar.dispose();
    tf.dispose([logits, value]);
  });

  it("logitDifference reads a classifier's [rows, classes] logits and a chosen position", () => {
    const classes = tf.tensor2d([
      [0.5, 2, -1],
      [3, 1, 4],
    ]);
    const classDiff = logitDifference({ answer: 1, versus: [0, 2] })(classes, [classes]);
    expect(classDiff).toBeCloseToTensor([1.5, -3], { atol: 1e-6 });
    const logits = tf.tensor3d([
      [
        [0, 1, 2],
        [3, 4, 5],
      ],
    ]);
    const first = logitDifference({ answer: 2, versus: 0, position: 0 })(logits, [logits]);
    expect(first).toBeCloseToTensor([2], { atol: 0 });
    tf.dispose([classes, classDiff, logits, first]);
  });

  it('logitDifference refuses ids and positions that would select nothing: typed, never a silent 0', () => {
    expect(() => logitDifference({ answer: 1.5, versus: 0 })).toThrowTdhookError('E_INVALID_VALUE', /answer/);
    expect(() => logitDifference({ answer: 1, versus: [] })).toThrowTdhookError('E_INVALID_VALUE', /versus/);
    expect(() => logitDifference({ answer: -1, versus: 0 })).toThrowTdhookError('E_INVALID_VALUE', /≥ 0/);
    expect(() => logitDifference({ answer: 1, versus: 0, position: 0.5 })).toThrowTdhookError(
      'E_INVALID_VALUE',
      /position/,
    );
    const logits = tf.zeros([2, 4, 3]);
    const deep = tf.zeros([2, 4, 3, 1]);
    // oneHot gives a zero row for an id ≥ vocab: that would read as a logit of 0.
    expect(() => logitDifference({ answer: 3, versus: 0 })(logits, [logits])).toThrowTdhookError(
      'E_INVALID_VALUE',
      /answer 3 is outside the 3 logits/,
    );
    expect(() => logitDifference({ answer: 1, versus: 0, position: 4 })(logits, [logits])).toThrowTdhookError(
      'E_INVALID_VALUE',
      /position 4 is outside the 4 positions/,
    );
    expect(() => logitDifference({ answer: 1, versus: 0 })(deep, [deep])).toThrowTdhookError(
      'E_SHAPE_MISMATCH',
      /\[rows, vocab\] or \[rows, positions, vocab\]/,
    );
    expect(() => logitDifference({ answer: [1, 2, 0], versus: 0 })(logits, [logits])).toThrowTdhookError(
      'E_SHAPE_MISMATCH',
      /3 entries for 2 rows/,
    );
    tf.dispose([logits, deep]);
  });
});

describe('LabelledGrid', () => {
  it('averages samples into cells and reads them by index', () => {
    const grid = headSites({ nLayers: 1, nHeads: 2 });
    const samples = tf.tensor3d([[[1, 2]], [[3, 6]]]);
    const labelled = LabelledGrid.fromSamples(samples, grid);
    expect(labelled.at(0, 1)).toBe(4);
    expect(labelled.rows()).toEqual([[2, 4]]);
    samples.dispose();
  });

  it('reads results of any batch dims ([], [2, 1]) and refuses indices outside the grid', () => {
    const grid = headSites({ nLayers: 1, nHeads: 2 });
    const unbatched = tf.tensor2d([[1, 2]]);
    const nested = tf.tensor4d([[[[1, 2]]], [[[3, 6]]]]); // [2, 1, 1, 2]
    expect(LabelledGrid.fromSamples(unbatched, grid).rows()).toEqual([[1, 2]]);
    const labelled = LabelledGrid.fromSamples(nested, grid);
    expect(labelled.rows()).toEqual([[2, 4]]);
    const wrong = tf.tensor2d([[1, 2, 3]]);
    expect(() => LabelledGrid.fromSamples(wrong, grid)).toThrowTdhookError(
      'E_SHAPE_MISMATCH',
      /does not end in the grid's \[1, 2\]/,
    );
    // A flat index past an axis would read another cell: refused.
    expect(() => labelled.at(0, 2)).toThrowTdhookError(
      'E_SHAPE_MISMATCH',
      /at\(0, 2\) on a grid of \[1 × 2\]/,
    );
    expect(() => labelled.at(1)).toThrowTdhookError('E_SHAPE_MISMATCH', /layer, head/);
    tf.dispose([unbatched, nested, wrong]);
  });
});
