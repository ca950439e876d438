import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

import { TensorDict } from './tensor-dict.js';

const values = (td: TensorDict, key: string | [string, ...string[]]): number[] =>
  Array.from(td.getTensor(key).dataSync());

const pair = (): [TensorDict, TensorDict] => [
  new TensorDict({
    'fc.kernel': tf.tensor2d([
      [1, 2],
      [3, 4],
    ]),
    'fc.bias': tf.tensor1d([0.5, -1]),
    step: 'pre',
  }),
  new TensorDict({
    'fc.kernel': tf.tensor2d([
      [2, 0],
      [-1, 8],
    ]),
    'fc.bias': tf.tensor1d([1.5, 1]),
  }),
];

describe('TensorDict arithmetic', () => {
  it('adds, subtracts, scales and interpolates entry by entry into new dicts, inputs untouched', () => {
    const [a, b] = pair();
    using sum = a.add(b);
    using difference = b.sub(a);
    using scaled = a.scale(-2);
    using quarter = a.lerp(b, 0.25);
    using start = a.lerp(b, 0);
    expect(values(sum, 'fc.kernel')).toEqual([3, 2, 2, 12]);
    expect(values(sum, 'fc.bias')).toEqual([2, 0]);
    expect(values(difference, 'fc.kernel')).toEqual([1, -2, -4, 4]);
    expect(values(difference, 'fc.bias')).toEqual([1, 2]);
    expect(values(scaled, 'fc.kernel')).toEqual([-2, -4, -6, -8]);
    // a + 0.25·(b − a): exact in float32 for these values.
    expect(values(quarter, 'fc.kernel')).toEqual([1.25, 1.5, 2, 5]);
    expect(values(quarter, 'fc.bias')).toEqual([0.75, -0.5]);
    expect(values(start, 'fc.kernel')).toEqual([1, 2, 3, 4]);
    expect(sum.get('step')).toBe('pre'); // non-tensor leaves come from this dict
    expect(values(a, 'fc.kernel')).toEqual([1, 2, 3, 4]);
    expect(values(b, 'fc.kernel')).toEqual([2, 0, -1, 8]);
    a.dispose();
    b.dispose();
  });

  it('works on nested dicts with a batch shape', () => {
    using a = new TensorDict({ attr: { x: tf.tensor2d([[1], [2]]) } }, { batchShape: [2] });
    using b = new TensorDict({ attr: { x: tf.tensor2d([[10], [20]]) } }, { batchShape: [2] });
    using sum = a.add(b);
    expect(sum.batchShape).toEqual([2]);
    expect(values(sum, ['attr', 'x'])).toEqual([11, 22]);
  });

  it('names the first key that is missing on either side, or whose shape or dtype differs', () => {
    const [a, b] = pair();
    using extra = new TensorDict({
      'fc.kernel': tf.zeros([2, 2]),
      'fc.bias': tf.zeros([2]),
      'fc.gain': tf.ones([2]),
    });
    using fewer = new TensorDict({ 'fc.kernel': tf.zeros([2, 2]) });
    using wide = new TensorDict({ 'fc.kernel': tf.zeros([2, 3]), 'fc.bias': tf.zeros([2]) });
    using ints = new TensorDict({ 'fc.kernel': tf.zeros([2, 2], 'int32'), 'fc.bias': tf.zeros([2]) });
    expect(() => a.add(extra)).toThrowTdhookError('E_MISSING_KEY', /fc\.gain/);
    expect(() => a.sub(fewer)).toThrowTdhookError('E_MISSING_KEY', /fc\.bias/);
    expect(() => a.lerp(wide, 0.5)).toThrowTdhookError('E_SHAPE_MISMATCH', /fc\.kernel.*\[2,2\].*\[2,3\]/);
    expect(() => a.add(ints)).toThrowTdhookError('E_SHAPE_MISMATCH', /fc\.kernel.*int32/);
    expect(values(a, 'fc.kernel')).toEqual([1, 2, 3, 4]);
    a.dispose();
    b.dispose();
  });

  it('lerp gives either end exactly, where a + 1·(b − a) would round', () => {
    // In float32, 0.7 + 1·(0.1 − 0.7) is 0.10000002, not 0.1: the weight-1 end is computed from the other side.
    using a = new TensorDict({ w: tf.tensor1d([0.1, 1e-8, -3]) });
    using b = new TensorDict({ w: tf.tensor1d([0.7, 1, 1e20]) });
    using start = a.lerp(b, 0);
    using end = b.lerp(a, 1);
    using fromEnd = a.lerp(b, 1);
    expect(values(start, 'w')).toEqual(values(a, 'w'));
    expect(values(end, 'w')).toEqual(values(a, 'w'));
    expect(values(fromEnd, 'w')).toEqual(values(b, 'w'));
  });

  it('rejects a non-finite factor or weight, a non-dict operand and a disposed one', () => {
    const [a, b] = pair();
    expect(() => a.scale(Number.NaN)).toThrowTdhookError('E_INVALID_VALUE', /factor/);
    expect(() => a.lerp(b, Infinity)).toThrowTdhookError('E_INVALID_VALUE', /weight/);
    expect(() => a.add({} as never)).toThrowTdhookError('E_INVALID_VALUE', /TensorDict/);
    b.dispose();
    expect(() => a.sub(b)).toThrowTdhookError('E_DISPOSED');
    a.dispose();
    expect(() => a.scale(2)).toThrowTdhookError('E_DISPOSED');
  });
});
