import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

import { nonTensor } from './non-tensor.js';
import { TensorDict } from './tensor-dict.js';

const exact = { rtol: 0, atol: 0 };

/** batchShape [2]: x [2,2] starting at `start`, attr.y [2], a string and a plain-object leaf. */
function make(start: number, rows = 2): TensorDict {
  const values = Array.from({ length: rows * 2 }, (_, i) => start + i);
  return new TensorDict(
    {
      x: tf.tensor(values, [rows, 2]),
      attr: { y: tf.tensor(values.slice(0, rows)) },
      step: 'ig',
      meta: nonTensor({ n: [1] }),
    },
    { batchShape: [rows] },
  );
}

describe('TensorDict.stack', () => {
  it('stacks along a new batch dim, at the front or inside', () => {
    using a = make(0);
    using b = make(10);
    using stacked = TensorDict.stack([a, b]);
    expect(stacked.batchShape).toEqual([2, 2]);
    expect(stacked.getDict('attr').batchShape).toEqual([2, 2]);
    expect(stacked.getTensor('x')).toBeCloseToTensor(
      [
        [
          [0, 1],
          [2, 3],
        ],
        [
          [10, 11],
          [12, 13],
        ],
      ],
      exact,
    );
    expect(stacked.getTensor(['attr', 'y'])).toBeCloseToTensor(
      [
        [0, 1],
        [10, 11],
      ],
      exact,
    );
    expect(stacked.get('step')).toBe('ig');
    expect(stacked.get('meta')).toEqual({ n: [1] });
    using inner = TensorDict.stack([a, b], -1);
    expect(inner.batchShape).toEqual([2, 2]);
    expect(inner.getTensor(['attr', 'y'])).toBeCloseToTensor(
      [
        [0, 10],
        [1, 11],
      ],
      exact,
    );
    a.dispose();
    expect(stacked.getTensor('x').isDisposed).toBe(false);
  });

  it('keeps nested dicts’ extra batch dims', () => {
    using a = new TensorDict({}, { batchShape: [2] });
    a.set('deep', new TensorDict({ z: tf.zeros([2, 3]) }, { batchShape: [2, 3] }));
    using b = a.clone();
    using stacked = TensorDict.stack([a, b], 1);
    expect(stacked.getDict('deep').batchShape).toEqual([2, 2, 3]);
  });

  it('names the first differing key: shape, dtype, missing or extra keys, kinds', () => {
    using a = make(0);
    using longer = make(0, 3);
    expect(() => TensorDict.stack([a, longer])).toThrowTdhookError(
      'E_SHAPE_MISMATCH',
      /differ at the top level: dicts\[0\] has batch shape \[2\], dicts\[1\] has \[3\] \(at TensorDict\.stack\(\)\)/,
    );
    using other = make(0);
    other.set(['attr', 'y'], tf.zeros([2], 'int32'));
    expect(() => TensorDict.stack([a, a, other])).toThrowTdhookError(
      'E_SHAPE_MISMATCH',
      /differ at \["attr","y"\]: dicts\[0\] has float32\[2\], dicts\[2\] has int32\[2\]/,
    );
    other.delete(['attr', 'y']);
    expect(() => TensorDict.stack([a, other])).toThrowTdhookError(
      'E_SHAPE_MISMATCH',
      /\["attr","y"\]: dicts\[1\] has no such entry/,
    );
    using extra = make(0);
    extra.set('more', 1);
    expect(() => TensorDict.stack([a, extra])).toThrowTdhookError(
      'E_SHAPE_MISMATCH',
      /differ at "more": only dicts\[1\] has it/,
    );
    using kind = make(0);
    kind.set('step', tf.zeros([2]));
    expect(() => TensorDict.stack([a, kind])).toThrowTdhookError(
      'E_SHAPE_MISMATCH',
      /"step": dicts\[0\] has string, dicts\[1\] has float32\[2\]/,
    );
  });

  it('requires equal non-tensor leaves', () => {
    using a = make(0);
    using b = make(0);
    b.set('meta', nonTensor({ n: [2] }));
    expect(() => TensorDict.stack([a, b])).toThrowTdhookError(
      'E_INVALID_VALUE',
      /non-tensor leaf "meta" differs between dicts\[0\] and dicts\[1\].*exclude\(\)/,
    );
  });

  it('rejects an empty list, non-dicts, disposed dicts and a bad axis', () => {
    expect(() => TensorDict.stack([])).toThrowTdhookError(
      'E_INVALID_VALUE',
      /non-empty array of TensorDicts/,
    );
    using a = make(0);
    expect(() => TensorDict.stack([a, 3 as never])).toThrowTdhookError(
      'E_INVALID_VALUE',
      /dicts\[1\] is number, not a TensorDict/,
    );
    const gone = make(0);
    gone.dispose();
    expect(() => TensorDict.stack([a, gone])).toThrowTdhookError('E_DISPOSED', /dicts\[1\] was disposed/);
    expect(() => TensorDict.stack([a], 2)).toThrowTdhookError(
      'E_INVALID_VALUE',
      /axis 2 is out of range for 2 positions/,
    );
  });
});

describe('TensorDict.concat', () => {
  it('joins along an existing batch dim; only that dim may differ', () => {
    using a = make(0);
    using b = make(100, 3);
    using joined = TensorDict.concat([a, b]);
    expect(joined.batchShape).toEqual([5]);
    expect(joined.getTensor('x')).toBeCloseToTensor(
      [
        [0, 1],
        [2, 3],
        [100, 101],
        [102, 103],
        [104, 105],
      ],
      exact,
    );
    expect(joined.getTensor(['attr', 'y'])).toBeCloseToTensor([0, 1, 100, 101, 102], exact);
    expect(joined.getDict('attr').batchShape).toEqual([5]);
    expect(joined.get('step')).toBe('ig');
  });

  it('joins along an inner batch dim', () => {
    using a = new TensorDict({ x: tf.tensor([[1], [2]]) }, { batchShape: [2, 1] });
    using b = new TensorDict(
      {
        x: tf.tensor([
          [3, 4],
          [5, 6],
        ]),
      },
      { batchShape: [2, 2] },
    );
    using joined = TensorDict.concat([a, b], 1);
    expect(joined.batchShape).toEqual([2, 3]);
    expect(joined.getTensor('x')).toBeCloseToTensor(
      [
        [1, 3, 4],
        [2, 5, 6],
      ],
      exact,
    );
    expect(() => TensorDict.concat([a, b])).toThrowTdhookError(
      'E_SHAPE_MISMATCH',
      /batch shape \[2,1\], dicts\[1\] has \[2,2\].*except along the joined axis/,
    );
  });

  it('needs a batch dim to join along', () => {
    using a = new TensorDict({ x: tf.ones([2]) });
    expect(() => TensorDict.concat([a, a])).toThrowTdhookError('E_INVALID_VALUE', /there are no batch dims/);
  });
});

describe('TensorDict split', () => {
  it('splits into equal parts by count, along any batch dim', () => {
    using td = new TensorDict(
      {
        x: tf.tensor([
          [0, 1, 2, 3],
          [4, 5, 6, 7],
        ]),
        s: 's',
      },
      { batchShape: [2, 4] },
    );
    const halves = td.split(2, 1);
    expect(halves.map((part) => part.batchShape)).toEqual([
      [2, 2],
      [2, 2],
    ]);
    expect(halves[0]?.getTensor('x')).toBeCloseToTensor(
      [
        [0, 1],
        [4, 5],
      ],
      exact,
    );
    expect(halves[1]?.getTensor('x')).toBeCloseToTensor(
      [
        [2, 3],
        [6, 7],
      ],
      exact,
    );
    expect(halves[1]?.get('s')).toBe('s');
    td.dispose();
    expect(halves[0]?.getTensor('x').isDisposed).toBe(false);
    for (const part of halves) part.dispose();
  });

  it('splits by sizes, with one -1 taking the rest, and round-trips through concat', () => {
    using td = make(0, 3);
    const parts = td.split([1, -1]);
    expect(parts.map((part) => part.batchShape)).toEqual([[1], [2]]);
    expect(parts[1]?.getTensor(['attr', 'y'])).toBeCloseToTensor([1, 2], exact);
    using back = TensorDict.concat(parts);
    expect(back.getTensor('x')).toBeCloseToTensor(td.getTensor('x'), exact);
    for (const part of parts) part.dispose();
  });

  it('rejects counts and sizes that do not fit', () => {
    using td = make(0, 3);
    expect(() => td.split(2)).toThrowTdhookError(
      'E_SHAPE_MISMATCH',
      /Cannot split a batch dim of size 3 into 2 equal parts/,
    );
    expect(() => td.split([1, 1])).toThrowTdhookError(
      'E_SHAPE_MISMATCH',
      /Split sizes \[1,1\] do not add up to the batch dim of size 3/,
    );
    expect(() => td.split([4, -1])).toThrowTdhookError('E_SHAPE_MISMATCH', /do not add up/);
    expect(() => td.split([-1, -1])).toThrowTdhookError('E_INVALID_VALUE', /Invalid split sizes/);
    expect(() => td.split([])).toThrowTdhookError('E_INVALID_VALUE', /Invalid split sizes \[\]/);
    expect(() => td.split(1, 1)).toThrowTdhookError(
      'E_INVALID_VALUE',
      /axis 1 is out of range for 1 batch dims/,
    );
  });
});
