import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

import { TensorDict } from './tensor-dict.js';

const exact = { rtol: 0, atol: 0 };
const range = (shape: number[], dtype: 'float32' | 'int32' = 'float32'): tf.Tensor =>
  tf.tensor(
    Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => i),
    shape,
    dtype,
  );

/** batchShape [3]: x [3,2] = 0..5, ids int32 [3], deep (batch [3,2]) z [3,2] = 0..5, and a string leaf. */
function sample(): TensorDict {
  const td = new TensorDict({ x: range([3, 2]), ids: range([3], 'int32'), step: 'ig' }, { batchShape: [3] });
  td.set('deep', new TensorDict({ z: range([3, 2]) }, { batchShape: [3, 2] }));
  return td;
}

describe('TensorDict index', () => {
  it('takes one element of batch dim 0, dropping it; negative indices count from the end', () => {
    using td = sample();
    using first = td.index(0);
    expect(first.batchShape).toEqual([]);
    expect(first.getTensor('x')).toBeCloseToTensor([0, 1], exact);
    expect(first.getTensor('ids')).toBeCloseToTensor(0, exact);
    expect(first.getTensor('ids').dtype).toBe('int32');
    expect(first.getDict('deep').batchShape).toEqual([2]);
    expect(first.getTensor(['deep', 'z'])).toBeCloseToTensor([0, 1], exact);
    expect(first.get('step')).toBe('ig');
    using last = td.index(-1);
    expect(last.getTensor('x')).toBeCloseToTensor([4, 5], exact);
    td.dispose();
    expect(last.getTensor(['deep', 'z'])).toBeCloseToTensor([4, 5], exact);
  });

  it('range-checks the index and needs a batch dim', () => {
    using td = sample();
    expect(() => td.index(3)).toThrowTdhookError(
      'E_INVALID_VALUE',
      /Index 3 is out of range for batch dim 0 of size 3.*from -3 to 2/,
    );
    expect(() => td.index(-4)).toThrowTdhookError('E_INVALID_VALUE', /Index -4 is out of range/);
    expect(() => td.index(0.5)).toThrowTdhookError(
      'E_INVALID_VALUE',
      /the index must be an integer, got 0\.5/,
    );
    using scalar = new TensorDict({ x: tf.scalar(1) });
    expect(() => scalar.index(0)).toThrowTdhookError(
      'E_INVALID_VALUE',
      /batch shape \[\], so there is no batch dim.*unsqueeze\(0\)/,
    );
  });
});

describe('TensorDict slice', () => {
  it('takes [start, end) of batch dim 0 with python-like bounds', () => {
    using td = sample();
    using middle = td.slice(1, 3);
    expect(middle.batchShape).toEqual([2]);
    expect(middle.getTensor('x')).toBeCloseToTensor(
      [
        [2, 3],
        [4, 5],
      ],
      exact,
    );
    expect(middle.getTensor(['deep', 'z'])).toBeCloseToTensor(
      [
        [2, 3],
        [4, 5],
      ],
      exact,
    );
    expect(middle.getDict('deep').batchShape).toEqual([2, 2]);
    using tail = td.slice(-1);
    expect(tail.getTensor('ids')).toBeCloseToTensor([2], exact);
    using clamped = td.slice(-10, 10);
    expect(clamped.batchShape).toEqual([3]);
    using empty = td.slice(2, 1);
    expect(empty.batchShape).toEqual([0]);
    expect(empty.getTensor('x').shape).toEqual([0, 2]);
    expect(() => td.slice(0, 1.5)).toThrowTdhookError('E_INVALID_VALUE', /end must be an integer/);
  });
});

describe('TensorDict reshape and flattenBatch', () => {
  it('reshapes batch dims only, inferring one -1, and flattens them back', () => {
    using td = new TensorDict({ x: range([6, 2]), s: 1 }, { batchShape: [6] });
    using grid = td.reshape([2, -1]);
    expect(grid.batchShape).toEqual([2, 3]);
    expect(grid.getTensor('x')).toBeCloseToTensor(
      [
        [
          [0, 1],
          [2, 3],
          [4, 5],
        ],
        [
          [6, 7],
          [8, 9],
          [10, 11],
        ],
      ],
      exact,
    );
    using flat = grid.flattenBatch();
    expect(flat.batchShape).toEqual([6]);
    expect(flat.getTensor('x')).toBeCloseToTensor(td.getTensor('x'), exact);
    expect(flat.get('s')).toBe(1);
    using scalar = new TensorDict({ x: tf.tensor([7, 8]) });
    using one = scalar.flattenBatch();
    expect(one.batchShape).toEqual([1]);
    expect(one.getTensor('x')).toBeCloseToTensor([[7, 8]], exact);
  });

  it('keeps the extra dims of nested dicts', () => {
    using td = sample();
    using grid = td.reshape([3, 1]);
    expect(grid.getDict('deep').batchShape).toEqual([3, 1, 2]);
    expect(grid.getTensor(['deep', 'z']).shape).toEqual([3, 1, 2]);
  });

  it('rejects element-count mismatches and malformed shapes', () => {
    using td = sample();
    expect(() => td.reshape([2])).toThrowTdhookError(
      'E_SHAPE_MISMATCH',
      /Cannot reshape batch shape \[3\] \(3 elements\) to \[2\]/,
    );
    expect(() => td.reshape([2, -1])).toThrowTdhookError('E_SHAPE_MISMATCH', /to \[2,-1\]/);
    expect(() => td.reshape([-1, -1])).toThrowTdhookError('E_INVALID_VALUE', /at most one -1/);
    expect(() => td.reshape([0, -1])).toThrowTdhookError('E_SHAPE_MISMATCH', /Cannot reshape/);
  });
});

describe('TensorDict unsqueeze', () => {
  it('inserts a batch dim of size 1; negative axes count within batch dims + 1', () => {
    using td = sample();
    using front = td.unsqueeze(0);
    expect(front.batchShape).toEqual([1, 3]);
    expect(front.getTensor('x')).toBeCloseToTensor(
      [
        [
          [0, 1],
          [2, 3],
          [4, 5],
        ],
      ],
      exact,
    );
    expect(front.getDict('deep').batchShape).toEqual([1, 3, 2]);
    using back = td.unsqueeze(-1);
    expect(back.batchShape).toEqual([3, 1]);
    expect(back.getTensor('x').shape).toEqual([3, 1, 2]);
    expect(back.getTensor(['deep', 'z']).shape).toEqual([3, 1, 2]);
    expect(() => td.unsqueeze(2)).toThrowTdhookError(
      'E_INVALID_VALUE',
      /axis 2 is out of range for 2 positions/,
    );
    expect(() => td.unsqueeze(-3)).toThrowTdhookError('E_INVALID_VALUE', /from -2 to 1/);
  });
});

describe('TensorDict expand', () => {
  it('broadcasts to new leading dims and grows dims of size 1', () => {
    using td = new TensorDict({ x: tf.tensor([[1, 2]]), s: 's' }, { batchShape: [1] });
    using grown = td.expand([3]);
    expect(grown.getTensor('x')).toBeCloseToTensor(
      [
        [1, 2],
        [1, 2],
        [1, 2],
      ],
      exact,
    );
    using lead = td.expand([2, -1]);
    expect(lead.batchShape).toEqual([2, 1]);
    expect(lead.getTensor('x')).toBeCloseToTensor([[[1, 2]], [[1, 2]]], exact);
    expect(lead.get('s')).toBe('s');
  });

  it('expands string tensors too (tiled, since broadcastTo refuses them)', () => {
    using td = new TensorDict({ s: tf.tensor([['a', 'b']]) }, { batchShape: [1] });
    using wide = td.expand([2, 3]);
    expect(wide.getTensor('s').shape).toEqual([2, 3, 2]);
    expect(Array.from(wide.getTensor('s').dataSync() as unknown as string[])).toEqual(
      Array.from({ length: 6 }, () => ['a', 'b']).flat(),
    );
    using row = wide.index(1);
    using picked = row.slice(2);
    expect(Array.from(picked.getTensor('s').dataSync() as unknown as string[])).toEqual(['a', 'b']);
    using none = td.expand([0]);
    expect(none.getTensor('s').shape).toEqual([0, 2]);
  });

  it('rejects shrinking, clashing or malformed shapes', () => {
    using td = sample();
    expect(() => td.expand([4])).toThrowTdhookError(
      'E_SHAPE_MISMATCH',
      /Cannot expand batch shape \[3\] to \[4\]: dim 0 has size 3/,
    );
    expect(() => td.expand([])).toThrowTdhookError('E_INVALID_VALUE', /at least 1 non-negative integers/);
    expect(() => td.expand([-1, 3])).toThrowTdhookError(
      'E_INVALID_VALUE',
      /-1 only where a dim of \[3\] is kept/,
    );
    using same = td.expand([2, 3]);
    expect(same.getDict('deep').batchShape).toEqual([2, 3, 2]);
    expect(same.getTensor(['deep', 'z'])).toBeCloseToTensor(
      [
        [
          [0, 1],
          [2, 3],
          [4, 5],
        ],
        [
          [0, 1],
          [2, 3],
          [4, 5],
        ],
      ],
      exact,
    );
  });
});
