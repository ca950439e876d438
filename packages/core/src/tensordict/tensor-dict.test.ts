import { inspect } from 'node:util';

import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

import { TdhookError } from '../errors.js';
import { isTensorDict } from './brand.js';
import { nonTensor } from './non-tensor.js';
import { TensorDict } from './tensor-dict.js';

/** Runs `fn`, expecting a tdhook error with this code and a message matching `pattern`; returns the error. */
function catchTdhookError(fn: () => unknown, code: string, pattern: RegExp): TdhookError {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  if (!TdhookError.is(caught)) throw new Error(`expected a TdhookError, got ${String(caught)}`);
  expect(caught.code).toBe(code);
  expect(caught.message).toMatch(pattern);
  return caught;
}

const exact = { rtol: 0, atol: 0 };
const range = (n: number, shape: number[]): tf.Tensor =>
  tf.tensor(
    Array.from({ length: n }, (_, i) => i),
    shape,
  );

describe('TensorDict construction', () => {
  it('builds from a plain nested object: plain objects nest, other values are leaves', () => {
    const date = new Date(0);
    using td = new TensorDict(
      { input: range(4, [2, 2]), attr: { input: tf.ones([2, 2]) }, step: 'ig', tags: ['a'], when: date },
      { batchShape: [2] },
    );
    expect(td.batchShape).toEqual([2]);
    expect(td.getTensor('input')).toBeCloseToTensor(
      [
        [0, 1],
        [2, 3],
      ],
      exact,
    );
    expect(td.getTensor(['attr', 'input'])).toBeCloseToTensor(
      [
        [1, 1],
        [1, 1],
      ],
      exact,
    );
    expect(isTensorDict(td.get('attr'))).toBe(true);
    expect(td.getDict('attr').batchShape).toEqual([2]);
    expect(td.get('step')).toBe('ig');
    expect(td.get('tags')).toEqual(['a']);
    expect(td.get('when')).toBe(date);
  });

  it('builds from [key, value] pairs and Maps, with nested keys', () => {
    using td = new TensorDict(
      [
        ['input', tf.zeros([3])],
        [['attr', 'input'], tf.ones([3])],
      ],
      { batchShape: [3] },
    );
    expect(td.keys()).toEqual([['input'], ['attr', 'input']]);
    using fromMap = new TensorDict(new Map([['x', tf.scalar(5)]]));
    expect(fromMap.batchShape).toEqual([]);
    expect(fromMap.getTensor('x')).toBeCloseToTensor(5, exact);
  });

  it('stores a plain object as one leaf when wrapped in nonTensor(), and get() unwraps it', () => {
    using td = new TensorDict({ meta: nonTensor({ label: 'cat' }) });
    expect(td.get('meta')).toEqual({ label: 'cat' });
    expect(td.keys({ leavesOnly: false })).toEqual([['meta']]);
  });

  it('rejects a tensor whose leading dims differ from the batch shape, owning nothing', () => {
    const good = tf.ones([2, 3]);
    const bad = tf.ones([3, 4]);
    const error = catchTdhookError(
      () => new TensorDict({ good, bad }, { batchShape: [2] }),
      'E_SHAPE_MISMATCH',
      /"bad" has shape \[3,4\], which does not start with the batch shape \[2\].*give it leading dims \[2\]/,
    );
    expect(error.where).toBe('new TensorDict()');
    // The caller still owns both tensors: nothing was disposed or claimed.
    expect(good.isDisposed || bad.isDisposed).toBe(false);
    using td = new TensorDict({ good }, { batchShape: [2] });
    expect(td.getTensor('good')).toBe(good);
    bad.dispose();
  });

  it('rejects invalid batch shapes, keys, entries and undefined values', () => {
    expect(() => new TensorDict({}, { batchShape: [2, -1] })).toThrowTdhookError(
      'E_INVALID_VALUE',
      /Invalid batch shape \[2,-1\]/,
    );
    expect(() => new TensorDict({}, { batchShape: [1.5] })).toThrowTdhookError(
      'E_INVALID_VALUE',
      /non-negative integers/,
    );
    expect(() => new TensorDict({ '': 1 })).toThrowTdhookError('E_INVALID_KEY', /Invalid key ""/);
    expect(() => new TensorDict({ a: { '': 1 } })).toThrowTdhookError(
      'E_INVALID_KEY',
      /segment 1 is the empty string/,
    );
    expect(() => new TensorDict([['a', 1, 2]] as never)).toThrowTdhookError(
      'E_INVALID_VALUE',
      /Entry 0 is not a \[key, value\] pair/,
    );
    expect(() => new TensorDict(42 as never)).toThrowTdhookError(
      'E_INVALID_VALUE',
      /plain object or an iterable.*got number/,
    );
    expect(() => new TensorDict({ a: undefined })).toThrowTdhookError(
      'E_INVALID_VALUE',
      /value for "a" is undefined/,
    );
    const inArray = tf.scalar(1);
    expect(() => new TensorDict({ a: [inArray] })).toThrowTdhookError(
      'E_INVALID_VALUE',
      /array leaf holds tensors/,
    );
    inArray.dispose();
  });

  it('rejects a TensorDict as entries with a pointer to clone()', () => {
    using source = new TensorDict();
    expect(() => new TensorDict(source as never)).toThrowTdhookError(
      'E_INVALID_VALUE',
      /got a TensorDict.*td\.clone\(\)/,
    );
  });

  it('rejects disposed tensors, and the same tensor under two keys', () => {
    const dead = tf.ones([2]);
    dead.dispose();
    expect(() => new TensorDict({ dead })).toThrowTdhookError(
      'E_DISPOSED',
      /tensor for "dead" is already disposed/,
    );
    const twice = tf.ones([2]);
    expect(() => new TensorDict({ a: twice, b: twice })).toThrowTdhookError(
      'E_INVALID_VALUE',
      /same tensor is given for "a" and "b".*tf\.clone\(tensor\)/,
    );
    expect(twice.isDisposed).toBe(false);
    twice.dispose();
  });
});

describe('TensorDict get / set / has / delete', () => {
  it('sets nested keys, creating intermediate dicts with the same batch shape', () => {
    using td = new TensorDict({}, { batchShape: [2] });
    td.set(['attr', 'layer', 'out'], tf.ones([2, 5])).set('step', 3);
    expect(td.getDict(['attr', 'layer']).batchShape).toEqual([2]);
    expect(td.has(['attr', 'layer', 'out'])).toBe(true);
    expect(td.has(['attr', 'layer'])).toBe(true);
    expect(td.has(['attr', 'nope'])).toBe(false);
    expect(td.has(['step', 'below'])).toBe(false);
    expect(td.get('step')).toBe(3);
  });

  it('throws MissingKeyError listing existing keys', () => {
    using td = new TensorDict({ input: tf.ones([1]), attr: { input: tf.ones([1]) } });
    const error = catchTdhookError(
      () => td.get(['attr', 'output']),
      'E_MISSING_KEY',
      /No entry \["attr","output"\] \(at get\(\["attr","output"\]\)\)\. Existing keys: "input", "attr", \["attr","input"\]\./,
    );
    expect(error.where).toBe('get(["attr","output"])');
    expect(() => td.get(['input', 'below'])).toThrowTdhookError(
      'E_MISSING_KEY',
      /No entry \["input","below"\]/,
    );
    using empty = new TensorDict();
    expect(() => empty.get('x')).toThrowTdhookError('E_MISSING_KEY', /The TensorDict is empty\./);
  });

  it('lists at most 10 keys in a MissingKeyError', () => {
    using td = new TensorDict(Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`k${i}`, i])));
    expect(() => td.get('zz')).toThrowTdhookError('E_MISSING_KEY', /"k9", … \(2 more\)\.$/);
  });

  it('getTensor and getDict reject entries of another kind', () => {
    using td = new TensorDict({ step: 'ig', x: tf.ones([1]), sub: {} });
    expect(() => td.getTensor('step')).toThrowTdhookError(
      'E_INVALID_VALUE',
      /The entry "step" is string, not a tensor/,
    );
    expect(() => td.getTensor('sub')).toThrowTdhookError(
      'E_INVALID_VALUE',
      /is TensorDict\(batchShape=\[\]\), not a tensor/,
    );
    expect(() => td.getDict('x')).toThrowTdhookError(
      'E_INVALID_VALUE',
      /"x" is float32\[1\], not a nested TensorDict/,
    );
  });

  it('overwriting disposes the old tensor; setting the same tensor again keeps it', () => {
    using td = new TensorDict({}, { batchShape: [2] });
    const first = tf.ones([2]);
    td.set('x', first);
    td.set('x', first);
    expect(first.isDisposed).toBe(false);
    const second = tf.zeros([2]);
    td.set('x', second);
    expect(first.isDisposed).toBe(true);
    expect(td.getTensor('x')).toBe(second);
    td.set('x', 'now a string');
    expect(second.isDisposed).toBe(true);
  });

  it('replacing a nested dict disposes its tensors; a plain object replaces rather than merges', () => {
    using td = new TensorDict({ attr: { a: tf.ones([1]), b: tf.ones([1]) } });
    const a = td.getTensor(['attr', 'a']);
    td.set('attr', { c: tf.zeros([1]) });
    expect(a.isDisposed).toBe(true);
    expect(td.keys()).toEqual([['attr', 'c']]);
  });

  it('rejects bad values without changing anything', () => {
    using td = new TensorDict({ x: range(2, [2]) }, { batchShape: [2] });
    const wrong = tf.ones([3]);
    expect(() => td.set('x', wrong)).toThrowTdhookError(
      'E_SHAPE_MISMATCH',
      /"x" has shape \[3\].*batch shape \[2\]/,
    );
    expect(() => td.set(['x', 'y'], wrong)).toThrowTdhookError(
      'E_INVALID_KEY',
      /Cannot write \["x","y"\]: "x" holds a tensor/,
    );
    const ok = tf.zeros([2]);
    expect(() => td.set(['new', 'deep'], { ok, bad: wrong })).toThrowTdhookError(
      'E_SHAPE_MISMATCH',
      /\["new","deep","bad"\]/,
    );
    expect(() => td.set('', 1)).toThrowTdhookError('E_INVALID_KEY', /Invalid key ""/);
    expect(td.keys({ leavesOnly: false })).toEqual([['x']]);
    expect(td.getTensor('x')).toBeCloseToTensor([0, 1], exact);
    expect(ok.isDisposed || wrong.isDisposed).toBe(false);
    tf.dispose([ok, wrong]);
  });

  it('refuses a tensor that another dict owns, pointing to tf.clone', () => {
    using a = new TensorDict({ x: tf.ones([2]) });
    using b = new TensorDict();
    expect(() => b.set('x', a.getTensor('x'))).toThrowTdhookError(
      'E_INVALID_VALUE',
      /already belongs to a TensorDict \(its entry "x"\).*tf\.clone\(tensor\)/,
    );
    expect(() => a.set('y', a.getTensor('x'))).toThrowTdhookError('E_INVALID_VALUE', /already belongs/);
    b.set('x', tf.clone(a.getTensor('x')));
    a.dispose();
    expect(b.getTensor('x')).toBeCloseToTensor([1, 1], exact);
  });

  it('adopts a TensorDict as a nested entry; it then belongs to the parent', () => {
    using parent = new TensorDict({}, { batchShape: [2] });
    const child = new TensorDict({ y: tf.ones([2, 3, 1]) }, { batchShape: [2, 3] });
    parent.set('child', child);
    expect(parent.getDict('child')).toBe(child);
    expect(() => {
      child.dispose();
    }).toThrowTdhookError('E_INVALID_VALUE', /nested in another TensorDict.*Dispose the outermost/);
    using other = new TensorDict({}, { batchShape: [2] });
    expect(() => other.set('c', child)).toThrowTdhookError(
      'E_INVALID_VALUE',
      /already nested.*td\.clone\(\)/,
    );
    expect(() => child.set('loop', parent)).toThrowTdhookError('E_INVALID_VALUE', /would contain itself/);
    using narrow = new TensorDict({}, { batchShape: [5] });
    expect(() => parent.set('n', narrow)).toThrowTdhookError(
      'E_SHAPE_MISMATCH',
      /nested TensorDict at "n" has shape \[5\]/,
    );
  });

  it('delete removes leaves and subtrees and disposes them', () => {
    using td = new TensorDict({ x: tf.ones([1]), attr: { a: tf.ones([1]) } });
    const x = td.getTensor('x');
    const a = td.getTensor(['attr', 'a']);
    const attr = td.getDict('attr');
    expect(td.delete('x')).toBe(true);
    expect(x.isDisposed).toBe(true);
    expect(td.delete('x')).toBe(false);
    expect(td.delete(['x', 'y'])).toBe(false);
    expect(td.delete('attr')).toBe(true);
    expect(a.isDisposed && attr.isDisposed).toBe(true);
    expect(td.isEmpty).toBe(true);
  });
});

describe('TensorDict nested batch shapes', () => {
  it('checks entries of a nested dict against its own, longer batch shape', () => {
    using td = new TensorDict({}, { batchShape: [2] });
    td.set('deep', new TensorDict({}, { batchShape: [2, 3] }));
    const wrong = tf.zeros([2, 5]);
    expect(() => td.set(['deep', 'w'], wrong)).toThrowTdhookError(
      'E_SHAPE_MISMATCH',
      /\["deep","w"\] has shape \[2,5\], which does not start with the batch shape \[2,3\]/,
    );
    wrong.dispose();
    td.set(['deep', 'inner', 'x'], tf.zeros([2, 3, 4]));
    expect(td.getDict(['deep', 'inner']).batchShape).toEqual([2, 3]);
    // A lent nested dict can be written to directly; the parent sees the change.
    td.getDict('deep').set('y', tf.ones([2, 3]));
    expect(td.keys()).toEqual([
      ['deep', 'inner', 'x'],
      ['deep', 'y'],
    ]);
  });

  it('disposing the parent disposes an adopted child and everything in it', () => {
    const child = new TensorDict({ x: tf.ones([2]) }, { batchShape: [2] });
    const x = child.getTensor('x');
    const parent = new TensorDict({ child }, { batchShape: [2] });
    parent.dispose();
    expect(child.isDisposed && x.isDisposed).toBe(true);
    child.dispose(); // a no-op now
  });

  it('rejects a key whose path runs through a non-tensor leaf', () => {
    using td = new TensorDict({ step: 'ig' });
    expect(() => td.set(['step', 'x'], 1)).toThrowTdhookError(
      'E_INVALID_KEY',
      /Cannot write \["step","x"\]: "step" holds a string, not a nested TensorDict.*Delete "step" first/,
    );
    expect(() => td.has(['a', ''] as never)).toThrowTdhookError('E_INVALID_KEY', /at has\(key\)/);
  });
});

describe('TensorDict update', () => {
  it('merges nested plain entries and moves their tensors in', () => {
    using td = new TensorDict({ attr: { input: tf.ones([2]) }, x: tf.ones([2]) }, { batchShape: [2] });
    const baseline = tf.zeros([2]);
    const oldX = td.getTensor('x');
    td.update({ attr: { baseline }, x: tf.fill([2], 7) });
    expect(td.keys()).toEqual([['attr', 'input'], ['attr', 'baseline'], ['x']]);
    expect(td.getTensor(['attr', 'baseline'])).toBe(baseline);
    expect(oldX.isDisposed).toBe(true);
    expect(td.getTensor('x')).toBeCloseToTensor([7, 7], exact);
  });

  it('clones handles from a TensorDict, which stays usable and keeps its nested batch shapes', () => {
    using td = new TensorDict({}, { batchShape: [2] });
    using other = new TensorDict(
      { deep: new TensorDict({ z: range(6, [2, 3]) }, { batchShape: [2, 3] }), s: 's' },
      { batchShape: [2] },
    );
    td.update(other);
    expect(td.getDict('deep').batchShape).toEqual([2, 3]);
    expect(td.getTensor(['deep', 'z'])).not.toBe(other.getTensor(['deep', 'z']));
    other.dispose();
    expect(td.getTensor(['deep', 'z'])).toBeCloseToTensor(
      [
        [0, 1, 2],
        [3, 4, 5],
      ],
      exact,
    );
    expect(td.get('s')).toBe('s');
    td.update(td); // merging a dict into itself changes nothing
    expect(td.keys()).toEqual([['deep', 'z'], ['s']]);
  });

  it('accepts [key, value] pairs', () => {
    using td = new TensorDict({}, { batchShape: [1] });
    td.update([
      [['a', 'b'], tf.ones([1])],
      ['c', 'text'],
    ]);
    expect(td.keys()).toEqual([['a', 'b'], ['c']]);
  });

  it('changes nothing when one entry does not fit', () => {
    using td = new TensorDict({ a: tf.ones([2]) }, { batchShape: [2] });
    const fine = tf.zeros([2]);
    const wrong = tf.zeros([4]);
    expect(() => td.update({ a: fine, b: wrong })).toThrowTdhookError(
      'E_SHAPE_MISMATCH',
      /"b" has shape \[4\]/,
    );
    expect(td.getTensor('a')).toBeCloseToTensor([1, 1], exact);
    expect(td.has('b')).toBe(false);
    expect(fine.isDisposed || wrong.isDisposed).toBe(false);
    tf.dispose([fine, wrong]);
    using source = new TensorDict({ b: tf.zeros([3]) }, { batchShape: [3] });
    expect(() => td.update(source)).toThrowTdhookError('E_SHAPE_MISMATCH', /"b" has shape \[3\]/);
    expect(td.keys()).toEqual([['a']]);
  });
});

describe('TensorDict keys and entries', () => {
  it('lists keys in insertion order, nested dicts before their contents', () => {
    using td = new TensorDict({ b: 1, a: { y: 2, x: { deep: 3 } }, c: tf.ones([1]) });
    expect(td.keys()).toEqual([['b'], ['a', 'y'], ['a', 'x', 'deep'], ['c']]);
    expect(td.keys({ leavesOnly: false })).toEqual([
      ['b'],
      ['a'],
      ['a', 'y'],
      ['a', 'x'],
      ['a', 'x', 'deep'],
      ['c'],
    ]);
    expect(td.keys({ nested: false })).toEqual([['b'], ['c']]);
    expect(td.keys({ nested: false, leavesOnly: false })).toEqual([['b'], ['a'], ['c']]);
    expect(Object.isFrozen(td.keys()[0])).toBe(true);
    const entries = td.entries();
    expect(entries.map(([key]) => key)).toEqual(td.keys());
    expect(entries[0]?.[1]).toBe(1);
    expect(entries[3]?.[1]).toBe(td.getTensor('c'));
    td.set('b', 9); // overwriting keeps the position
    expect(td.keys()[0]).toEqual(['b']);
    expect(td.isEmpty).toBe(false);
  });
});

describe('TensorDict disposal', () => {
  it('disposes every tensor recursively, then refuses use; a second dispose does nothing', () => {
    const td = new TensorDict({ x: tf.ones([2]), attr: { y: tf.ones([2]) } }, { batchShape: [2] });
    const before = tf.memory().numTensors;
    const attr = td.getDict('attr');
    td.dispose();
    expect(tf.memory().numTensors).toBe(before - 2);
    expect(td.isDisposed && attr.isDisposed).toBe(true);
    td.dispose();
    const error = catchTdhookError(
      () => td.get('x'),
      'E_DISPOSED',
      /This TensorDict was disposed \(at get\("x"\)\)/,
    );
    expect(error.fix).toMatch(/clone\(\) what you need to keep/);
    expect(() => td.batchShape).toThrowTdhookError('E_DISPOSED', /at batchShape/);
    expect(() => td.set('x', 1)).toThrowTdhookError('E_DISPOSED', /disposed/);
    expect(() => td.keys()).toThrowTdhookError('E_DISPOSED', /at keys\(\)/);
    expect(() => td.clone()).toThrowTdhookError('E_DISPOSED', /at clone\(\)/);
    expect(() => attr.get('y')).toThrowTdhookError('E_DISPOSED', /disposed/);
    expect(td.toString()).toBe('TensorDict(disposed)');
  });

  it('is disposed at the end of a using block', () => {
    const before = tf.memory().numTensors;
    let escaped: TensorDict | undefined;
    {
      using td = new TensorDict({ x: tf.ones([3]) });
      escaped = td;
      expect(tf.memory().numTensors).toBe(before + 1);
    }
    expect(escaped.isDisposed).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
    const direct = new TensorDict({ x: tf.ones([3]) });
    direct[Symbol.dispose]();
    expect(direct.isDisposed).toBe(true);
  });

  it('a dict updated from a disposed dict is refused', () => {
    const gone = new TensorDict({ x: tf.ones([1]) });
    gone.dispose();
    using td = new TensorDict();
    expect(() => td.update(gone)).toThrowTdhookError('E_DISPOSED', /TensorDict to merge in was disposed/);
  });
});

describe('TensorDict toString', () => {
  it('shows the batch shape and every key with dtype and shape, nested dicts indented', () => {
    using td = new TensorDict(
      {
        input: tf.zeros([2, 16]),
        attr: { input: tf.zeros([2, 16], 'int32') },
        mask: tf.zeros([2], 'bool'),
        step: 'ig',
        n: 3,
        list: [1, 2, 3],
        none: null,
        meta: nonTensor({ a: 1 }),
        when: new Date(0),
      },
      { batchShape: [2] },
    );
    td.set('deep', new TensorDict({ z: tf.zeros([2, 3]) }, { batchShape: [2, 3] }));
    expect(td.toString()).toBe(
      [
        'TensorDict(batchShape=[2])',
        '  "input": float32[2,16]',
        '  "attr": TensorDict(batchShape=[2])',
        '    "input": int32[2,16]',
        '  "mask": bool[2]',
        '  "step": string',
        '  "n": number',
        '  "list": array(3)',
        '  "none": null',
        '  "meta": object',
        '  "when": Date',
        '  "deep": TensorDict(batchShape=[2,3])',
        '    "z": float32[2,3]',
      ].join('\n'),
    );
    using empty = new TensorDict();
    expect(String(empty)).toBe('TensorDict(batchShape=[])');
    expect(inspect(empty)).toBe('TensorDict(batchShape=[])');
  });
});
