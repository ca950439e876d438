import { describe, expect, it } from 'vitest';

import { InvalidKeyError, TdhookError } from './errors.js';
import {
  appendKeySuffix,
  formatKey,
  isKey,
  joinKeys,
  keyId,
  keysEqual,
  keyStartsWith,
  toKeyPath,
  type Key,
} from './keys.js';

describe('keys', () => {
  it('accept non-empty strings and non-empty string tuples, with dots and brackets inside segments', () => {
    expect(isKey('input')).toBe(true);
    expect(isKey(['attr', 'input'])).toBe(true);
    expect(isKey(['cache', 'layers[-1].fc'])).toBe(true);
    for (const bad of ['', [], ['attr', ''], ['attr', 3], [['nested']], 7, null, undefined, { key: 'x' }]) {
      expect(isKey(bad), JSON.stringify(bad)).toBe(false);
    }
  });

  it('normalise to frozen tuples; a string and its one-tuple are the same key', () => {
    const path = toKeyPath('input');
    expect(path).toEqual(['input']);
    expect(Object.isFrozen(path)).toBe(true);
    expect(toKeyPath(['attr', 'input'])).toEqual(['attr', 'input']);
    expect(keysEqual('input', ['input'])).toBe(true);
    expect(keysEqual(['attr', 'input'], ['attr', 'output'])).toBe(false);
    expect(keysEqual(['a', 'b'], ['a'])).toBe(false);
  });

  it('does not keep a reference to the caller’s array', () => {
    const mutable: [string, string] = ['attr', 'input'];
    const path = toKeyPath(mutable);
    mutable[1] = 'changed';
    expect(path).toEqual(['attr', 'input']);
  });

  it('reject invalid keys with a typed error that says what, where and how to fix', () => {
    const attempt = (): unknown => toKeyPath(['attr', 3] as unknown as Key, 'outKeys[1]');
    expect(attempt).toThrow(InvalidKeyError);
    try {
      attempt();
    } catch (error) {
      expect(TdhookError.is(error)).toBe(true);
      if (!TdhookError.is(error)) throw error;
      expect(error.code).toBe('E_INVALID_KEY');
      expect(error.where).toBe('outKeys[1]');
      expect(error.message).toBe(
        'Invalid key ["attr",3]: segment 1 is number (at outKeys[1]). ' +
          "A key is a non-empty string ('input') or a non-empty array of non-empty strings (['attr', 'input']).",
      );
    }
    expect(() => toKeyPath('')).toThrow('Invalid key "": it is the empty string.');
    expect(() => toKeyPath([] as unknown as Key)).toThrow('Invalid key []: it has no segments.');
    expect(() => toKeyPath(['a', ''])).toThrow('segment 1 is the empty string');
    expect(() => toKeyPath(null as unknown as Key)).toThrow('Invalid key null: it is null.');
  });

  it('have ids that never collide, even for segments with dots or quotes', () => {
    const keys: Key[] = ['a.b', ['a', 'b'], ['a.b'], ['a"', 'b'], ['a', '"b'], 'a'];
    const ids = keys.map((key) => keyId(key));
    expect(new Set(ids).size).toBe(5); // 'a.b' and ['a.b'] are the same key
    expect(keyId('a.b')).toBe(keyId(['a.b']));
  });

  it('format as a string or a JSON array', () => {
    expect(formatKey('input')).toBe('"input"');
    expect(formatKey(['input'])).toBe('"input"');
    expect(formatKey(['attr', 'fc2.weight'])).toBe('["attr","fc2.weight"]');
  });

  it('join, test prefixes by whole segments and suffix the leaf', () => {
    expect(joinKeys('attr', 'input')).toEqual(['attr', 'input']);
    expect(joinKeys(['cache', 'run1'], ['fc2', 'out'])).toEqual(['cache', 'run1', 'fc2', 'out']);
    expect(keyStartsWith(['attr', 'input'], 'attr')).toBe(true);
    expect(keyStartsWith(['attr', 'input'], ['attr', 'input'])).toBe(true);
    expect(keyStartsWith('attribution', 'attr')).toBe(false);
    expect(keyStartsWith('attr', ['attr', 'input'])).toBe(false);
    expect(appendKeySuffix(['metrics', 'dimension'], '_x')).toEqual(['metrics', 'dimension_x']);
    expect(appendKeySuffix('data', '_a')).toEqual(['data_a']);
    expect(appendKeySuffix('data', '')).toEqual(['data']);
  });
});
