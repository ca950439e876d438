import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

import { InvalidValueError, ShapeMismatchError } from '../errors.js';
import { checkUnits, replaceUnits, selectUnits } from './selection.js';

const values = (t: tf.Tensor): number[] => Array.from(t.dataSync());
/** [3,4] with value 10·row + column, so every selected number says where it came from. */
const grid = (): tf.Tensor2D =>
  tf.tensor2d([
    [0, 1, 2, 3],
    [10, 11, 12, 13],
    [20, 21, 22, 23],
  ]);

describe('selectUnits', () => {
  it('keeps the axis: indices [2] on [3,20] give [3,1]', () => {
    const wide = tf.tidy(() => tf.reshape(tf.range(0, 60), [3, 20]));
    const selected = selectUnits(wide, { featureAxis: -1, indices: [2] });
    expect(selected.shape).toEqual([3, 1]);
    expect(values(selected)).toEqual([2, 22, 42]);
    tf.dispose([wide, selected]);
  });

  it('selects along any axis, in the given order, with negative indices from the end', () => {
    const x = grid();
    const columns = selectUnits(x, { featureAxis: 1, indices: [-1, 0] });
    const rows = selectUnits(x, { featureAxis: 0, indices: [2] });
    const all = selectUnits(x, { featureAxis: -1 });
    expect(values(columns)).toEqual([3, 0, 13, 10, 23, 20]);
    expect(rows.shape).toEqual([1, 4]);
    expect(values(rows)).toEqual([20, 21, 22, 23]);
    expect(all).not.toBe(x); // a copy the caller owns
    expect(values(all)).toEqual(values(x));
    tf.dispose([x, columns, rows, all]);
  });

  it('rejects an index or axis out of range with an InvalidValueError naming the shape', () => {
    const x = grid();
    expect(() => selectUnits(x, { featureAxis: -1, indices: [4] })).toThrow(InvalidValueError);
    expect(() => selectUnits(x, { featureAxis: -1, indices: [-5] })).toThrow(
      /Index -5 is out of range for axis -1 of a tensor float32\[3,4\].*Use indices from -4 to 3/,
    );
    expect(() => {
      checkUnits(x, { featureAxis: 2, indices: [0] });
    }).toThrow(/featureAxis 2 is out of range for a tensor float32\[3,4\].*from -2 to 1/);
    expect(() => {
      checkUnits(x, { featureAxis: -3, indices: [0] });
    }).toThrow(InvalidValueError);
    x.dispose();
  });
});

describe('replaceUnits', () => {
  it('replaces only the selected units with a number, keeping every other value exactly', () => {
    const x = grid();
    const y = replaceUnits(x, { featureAxis: -1, indices: [2] }, 100);
    expect(y.shape).toEqual([3, 4]);
    expect(values(y)).toEqual([0, 1, 100, 3, 10, 11, 100, 13, 20, 21, 100, 23]);
    expect(values(x)[2]).toBe(2); // the input is untouched
    tf.dispose([x, y]);
  });

  it('broadcasts a tensor to the selection, and the last of repeated indices wins', () => {
    const x = grid();
    const perColumn = tf.tensor1d([-1, -2]);
    const y = replaceUnits(x, { featureAxis: 1, indices: [3, 0] }, perColumn);
    expect(values(y)).toEqual([-2, 1, 2, -1, -2, 11, 12, -1, -2, 21, 22, -1]);
    const repeated = tf.tensor2d([[7], [8]]);
    const z = replaceUnits(x, { featureAxis: 0, indices: [1, 1] }, repeated);
    expect(values(z)).toEqual([0, 1, 2, 3, 8, 8, 8, 8, 20, 21, 22, 23]);
    tf.dispose([x, perColumn, y, repeated, z]);
  });

  it('passes the current selection to a function', () => {
    const x = grid();
    const y = replaceUnits(x, { featureAxis: 0, indices: [0] }, (row) => tf.neg(row));
    expect(values(y)).toEqual([-0, -1, -2, -3, 10, 11, 12, 13, 20, 21, 22, 23]);
    tf.dispose([x, y]);
  });

  it('replaces everything when there are no indices, returning a new tensor', () => {
    const x = grid();
    const same = tf.zeros([3, 4]);
    const y = replaceUnits(x, { featureAxis: -1 }, same);
    expect(y).not.toBe(same);
    expect(values(y)).toEqual(new Array<number>(12).fill(0));
    const z = replaceUnits(x, { featureAxis: -1 }, (whole) => whole);
    expect(z).not.toBe(x);
    expect(values(z)).toEqual(values(x));
    tf.dispose([x, same, y, z]);
  });

  it('handles many scattered, unordered indices the way indexing in plain JS would', () => {
    const row = Array.from({ length: 50 }, (_, unit) => unit * 1.5);
    const indices = [7, 3, 4, 5, 49, 0, 20, 21, 22, 6, 30, 12];
    const x = tf.tensor2d([row, row.map((v) => -v)]);
    const selected = selectUnits(x, { featureAxis: 1, indices });
    expect(values(selected)).toEqual([
      ...indices.map((unit) => row[unit]),
      ...indices.map((unit) => -(row[unit] ?? 0)),
    ]);
    const replacement = tf.tensor1d(indices.map((_, column) => 1000 + column));
    const y = replaceUnits(x, { featureAxis: 1, indices }, replacement);
    const expectedRow = [...row];
    indices.forEach((unit, column) => (expectedRow[unit] = 1000 + column));
    expect(values(y)).toEqual([
      ...expectedRow,
      ...expectedRow.map((v, unit) => (indices.includes(unit) ? v : -v)),
    ]);
    tf.dispose([x, selected, replacement, y]);
  });

  it('never hands back the replacement the caller holds, also when it is the whole result', () => {
    const x = grid();
    const columns = tf.tensor2d([
      [-1, -2, -3, -4],
      [-5, -6, -7, -8],
      [-9, -10, -11, -12],
    ]);
    const every = { featureAxis: 1, indices: [0, 1, 2, 3] } as const;
    const fromTensor = replaceUnits(x, every, columns);
    const fromFunction = replaceUnits(x, every, () => columns);
    const whole = replaceUnits(x, { featureAxis: 1 }, () => columns);
    for (const result of [fromTensor, fromFunction, whole]) {
      expect(result).not.toBe(columns);
      expect(values(result)).toEqual(values(columns));
    }
    tf.dispose([fromTensor, fromFunction, whole]);
    expect(columns.isDisposed).toBe(false);
    tf.dispose([x, columns]);
  });

  it('joins neighbouring units and columns, with repeated and reversed indices', () => {
    const x = tf.tensor2d([[0, 1, 2, 3, 4, 5, 6, 7]]);
    const replacement = tf.tensor2d([[10, 11, 12, 13, 14, 15]]);
    // Units 2, 3 take columns 0, 1 (one stretch); 5 takes column 5 (the last of the repeated 5s); 7, 6 take 3, 4.
    const y = replaceUnits(x, { featureAxis: 1, indices: [2, 3, 5, 7, 6, 5] }, replacement);
    expect(values(y)).toEqual([0, 1, 10, 11, 4, 15, 14, 13]);
    const none = replaceUnits(x, { featureAxis: 1, indices: [] }, 9);
    expect(values(none)).toEqual(values(x));
    tf.dispose([x, replacement, y, none]);
  });

  it('keeps integer dtypes', () => {
    const ids = tf.tensor2d([[1, 2, 3]], undefined, 'int32');
    const y = replaceUnits(ids, { featureAxis: -1, indices: [1] }, 0);
    expect(y.dtype).toBe('int32');
    expect(values(y)).toEqual([1, 0, 3]);
    tf.dispose([ids, y]);
  });

  it('rejects a replacement of another shape or dtype, or a function that returns no tensor', () => {
    const x = grid();
    const wrongShape = tf.ones([3, 2]);
    const wrongType = tf.ones([3, 1], 'int32');
    const units = { featureAxis: -1, indices: [2] } as const;
    expect(() => replaceUnits(x, units, wrongShape, "module 'fc1'")).toThrow(
      /A replacement float32\[3,2\] does not fit the selection float32\[3,1\] \(at module 'fc1'\)/,
    );
    expect(() => replaceUnits(x, units, wrongType)).toThrow(ShapeMismatchError);
    expect(() => replaceUnits(x, units, () => 'nope' as unknown as tf.Tensor)).toThrow(
      /A replacement function returned string, not a tensor/,
    );
    tf.dispose([x, wrongShape, wrongType]);
  });

  it('is differentiable: the kept units and the replacement both pass gradients', () => {
    const x = tf.tensor2d([[1, 2, 3]]);
    const gradient = tf.grad((input: tf.Tensor) =>
      tf.sum(replaceUnits(input, { featureAxis: -1, indices: [1] }, (unit) => tf.mul(unit, 3))),
    )(x);
    expect(values(gradient)).toEqual([1, 3, 1]);
    const constant = tf.grad((input: tf.Tensor) =>
      tf.sum(replaceUnits(input, { featureAxis: -1, indices: [0, 2] }, 5)),
    )(x);
    expect(values(constant)).toEqual([0, 1, 0]);
    tf.dispose([x, gradient, constant]);
  });
});
