import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

import { isPlainObject } from '../value-guards.js';
import { InvalidValueError } from '../errors.js';
import { isTensorDict } from './brand.js';
import { copyNonTensorValue, describeNonTensor, nonTensor, nonTensorEqual, NonTensor } from './non-tensor.js';
import { TensorDict } from './tensor-dict.js';

describe('non-tensor leaves', () => {
  it('wrap any value except tensors and TensorDicts, frozen', () => {
    const wrapped = nonTensor({ a: 1 });
    expect(wrapped).toBeInstanceOf(NonTensor);
    expect(wrapped.value).toEqual({ a: 1 });
    expect(Object.isFrozen(wrapped)).toBe(true);
    const x = tf.ones([1]);
    expect(() => nonTensor(x)).toThrow(InvalidValueError);
    expect(() => nonTensor(x)).toThrow(/nonTensor\(\) was given a tensor/);
    x.dispose();
    using td = new TensorDict();
    expect(() => nonTensor(td)).toThrow(/given a TensorDict.*Set tensors and nested TensorDicts directly/);
  });

  it('tell plain objects from other objects', () => {
    expect(isPlainObject({})).toBe(true);
    expect(isPlainObject(Object.create(null))).toBe(true);
    expect(isPlainObject([])).toBe(false);
    expect(isPlainObject(new Date())).toBe(false);
    expect(isPlainObject(null)).toBe(false);
    using td = new TensorDict();
    expect(isPlainObject(td)).toBe(false);
    expect(isTensorDict(td)).toBe(true);
    expect(isTensorDict({})).toBe(false);
  });

  it('compare JSON-like values deeply, other objects by identity', () => {
    expect(nonTensorEqual({ a: [1, { b: 'x' }] }, { a: [1, { b: 'x' }] })).toBe(true);
    expect(nonTensorEqual({ a: 1 }, { a: 1, b: 2 })).toBe(false);
    expect(nonTensorEqual([1, 2], [1, 2, 3])).toBe(false);
    expect(nonTensorEqual([1], { 0: 1 })).toBe(false);
    expect(nonTensorEqual(NaN, NaN)).toBe(true);
    expect(nonTensorEqual(null, undefined)).toBe(false);
    expect(nonTensorEqual(new Date(5), new Date(5))).toBe(true);
    expect(nonTensorEqual(new Map(), new Map())).toBe(false);
    const cyclic: unknown[] = [];
    cyclic.push(cyclic);
    expect(nonTensorEqual(cyclic, cyclic)).toBe(true);
    const other: unknown[] = [];
    other.push(other);
    // Cycles terminate, falling back to identity.
    expect(nonTensorEqual(cyclic, other)).toBe(false);
    expect(nonTensorEqual(cyclic, [[1]])).toBe(false);
  });

  it('describe and shallow-copy values', () => {
    expect([null, 'a', 1, true, undefined, [1, 2], {}, new Map()].map(describeNonTensor)).toEqual([
      'null',
      'string',
      'number',
      'boolean',
      'undefined',
      'array(2)',
      'object',
      'Map',
    ]);
    const list = [{ a: 1 }];
    const copy = copyNonTensorValue(list);
    expect(copy).toEqual(list);
    expect(copy).not.toBe(list);
    expect(copy[0]).toBe(list[0]);
    const date = new Date(0);
    expect(copyNonTensorValue(date)).toBe(date);
  });
});
