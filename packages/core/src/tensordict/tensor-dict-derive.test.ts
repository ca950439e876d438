import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

import { nonTensor } from './non-tensor.js';
import { TensorDict } from './tensor-dict.js';

const exact = { rtol: 0, atol: 0 };

function sample(): TensorDict {
  return new TensorDict(
    {
      input: tf.tensor([
        [1, 2],
        [3, 4],
      ]),
      attr: {
        input: tf.tensor([
          [5, 6],
          [7, 8],
        ]),
        output: tf.tensor([9, 10]),
      },
      step: 'ig',
      meta: nonTensor({ steps: [1, 2] }),
    },
    { batchShape: [2] },
  );
}

describe('TensorDict clone', () => {
  it('copies structure with its own handles: disposing either side leaves the other intact', () => {
    const td = sample();
    const copy = td.clone();
    expect(copy.keys({ leavesOnly: false })).toEqual(td.keys({ leavesOnly: false }));
    expect(copy.getTensor('input')).not.toBe(td.getTensor('input'));
    expect(copy.get('meta')).toEqual({ steps: [1, 2] });
    expect(copy.get('meta')).not.toBe(td.get('meta'));
    td.dispose();
    expect(copy.getTensor(['attr', 'input'])).toBeCloseToTensor(
      [
        [5, 6],
        [7, 8],
      ],
      exact,
    );
    const again = copy.clone();
    copy.dispose();
    expect(again.getTensor('input')).toBeCloseToTensor(
      [
        [1, 2],
        [3, 4],
      ],
      exact,
    );
    again.dispose();
  });

  it('keeps the batch shapes of nested dicts', () => {
    using td = new TensorDict({}, { batchShape: [2] });
    td.set('deep', new TensorDict({ z: tf.zeros([2, 3]) }, { batchShape: [2, 3] }));
    using copy = td.clone();
    expect(copy.getDict('deep').batchShape).toEqual([2, 3]);
  });
});

describe('TensorDict select and exclude', () => {
  it('selects leaves and whole subtrees, in the original order', () => {
    using td = sample();
    using picked = td.select('step', ['attr', 'output'], 'input');
    expect(picked.keys()).toEqual([['input'], ['attr', 'output'], ['step']]);
    expect(picked.getTensor(['attr', 'output'])).toBeCloseToTensor([9, 10], exact);
    using subtree = td.select('attr');
    expect(subtree.keys()).toEqual([
      ['attr', 'input'],
      ['attr', 'output'],
    ]);
    expect(subtree.batchShape).toEqual([2]);
  });

  it('throws MissingKeyError for a missing key unless strict is false', () => {
    using td = sample();
    expect(() => td.select('input', ['attr', 'nope'])).toThrowTdhookError(
      'E_MISSING_KEY',
      /No entry \["attr","nope"\] \(at select\("input", \["attr","nope"\]\)\)/,
    );
    using loose = td.select('input', ['attr', 'nope'], ['step', 'x'], { strict: false });
    // A nested dict reached only through missing keys is not created.
    expect(loose.keys({ leavesOnly: false })).toEqual([['input']]);
    expect(() => td.select(['attr', ''] as never)).toThrowTdhookError('E_INVALID_KEY', /select\(\), key 0/);
  });

  it('excludes leaves and subtrees, ignoring missing keys', () => {
    using td = sample();
    using rest = td.exclude(['attr', 'input'], 'step', 'missing');
    expect(rest.keys()).toEqual([['input'], ['attr', 'output'], ['meta']]);
    using noAttr = td.exclude('attr');
    expect(noAttr.keys({ leavesOnly: false })).toEqual([['input'], ['step'], ['meta']]);
    using emptied = td.exclude(['attr', 'input'], ['attr', 'output']);
    expect(emptied.keys({ leavesOnly: false })).toContainEqual(['attr']);
    td.dispose();
    expect(rest.getTensor('input')).toBeCloseToTensor(
      [
        [1, 2],
        [3, 4],
      ],
      exact,
    );
  });
});

describe('TensorDict apply', () => {
  it('maps tensor leaves into a new dict, keeping non-tensor leaves and dropping undefined results', () => {
    using td = sample();
    using doubled = td.apply((x, key) => (key[key.length - 1] === 'output' ? undefined : tf.mul(x, 2)));
    expect(doubled.keys()).toEqual([['input'], ['attr', 'input'], ['step'], ['meta']]);
    expect(doubled.getTensor(['attr', 'input'])).toBeCloseToTensor(
      [
        [10, 12],
        [14, 16],
      ],
      exact,
    );
    expect(doubled.get('step')).toBe('ig');
    expect(td.getTensor('input')).toBeCloseToTensor(
      [
        [1, 2],
        [3, 4],
      ],
      exact,
    );
  });

  it('frees the intermediates of fn (it runs in tf.tidy)', () => {
    using td = sample();
    const before = tf.memory().numTensors;
    using result = td.apply((x) => tf.add(tf.mul(x, 2), 1));
    expect(tf.memory().numTensors).toBe(before + 3);
    expect(result.getTensor('input')).toBeCloseToTensor(
      [
        [3, 5],
        [7, 9],
      ],
      exact,
    );
  });

  it('clones what fn returns when it is owned already (its argument, a repeated result)', () => {
    using td = sample();
    using same = td.apply((x) => x);
    expect(same.getTensor('input')).not.toBe(td.getTensor('input'));
    const shared = tf.ones([2]);
    using part = td.select(['attr', 'output'], 'input');
    // An unowned tensor is taken over the first time, and cloned the second.
    using repeated = part.apply(() => shared);
    expect(repeated.getTensor('input')).toBe(shared);
    expect(repeated.getTensor(['attr', 'output'])).not.toBe(shared);
    expect(repeated.getTensor(['attr', 'output'])).toBeCloseToTensor([1, 1], exact);
  });

  it('changes the batch shape when asked, nested dicts keeping their extra dims', () => {
    using td = new TensorDict(
      {
        x: tf.tensor([
          [1, 2],
          [3, 4],
        ]),
      },
      { batchShape: [2] },
    );
    td.set(
      'deep',
      new TensorDict(
        {
          z: tf.tensor([
            [[1], [2]],
            [[3], [4]],
          ]),
        },
        { batchShape: [2, 2] },
      ),
    );
    using summed = td.apply((t) => tf.sum(t, 0), { batchShape: [] });
    expect(summed.batchShape).toEqual([]);
    expect(summed.getDict('deep').batchShape).toEqual([2]);
    expect(summed.getTensor('x')).toBeCloseToTensor([4, 6], exact);
    expect(summed.getTensor(['deep', 'z'])).toBeCloseToTensor([[4], [6]], exact);
  });

  it('rejects results that do not fit, disposing everything made so far', () => {
    using td = sample();
    const before = tf.memory().numTensors;
    expect(() => td.apply((x) => tf.reshape(x, [-1]))).toThrowTdhookError(
      'E_SHAPE_MISMATCH',
      /result for "input" has shape \[4\], which does not start with the batch shape \[2\].*apply\(fn, \{ batchShape \}\)/,
    );
    expect(tf.memory().numTensors).toBe(before);
    expect(() => td.apply(() => 3 as never)).toThrowTdhookError(
      'E_INVALID_VALUE',
      /returned number for "input", not a tensor/,
    );
    const dead = tf.ones([2]);
    dead.dispose();
    expect(() => td.apply(() => dead)).toThrowTdhookError('E_DISPOSED', /returned a disposed tensor/);
    expect(() => td.apply('nope' as never)).toThrowTdhookError(
      'E_INVALID_VALUE',
      /apply\(\) needs a function/,
    );
    expect(() => td.apply((x) => x, { batchShape: [-2] })).toThrowTdhookError(
      'E_INVALID_VALUE',
      /Invalid batch shape/,
    );
  });

  it('disposes partial results when fn throws midway', () => {
    using td = sample();
    const before = tf.memory().numTensors;
    let calls = 0;
    expect(() =>
      td.apply((x) => {
        calls++;
        if (calls === 2) throw new Error('boom');
        return tf.neg(x);
      }),
    ).toThrow('boom');
    expect(calls).toBe(2);
    expect(tf.memory().numTensors).toBe(before);
  });
});
