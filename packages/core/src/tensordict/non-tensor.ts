import * as tf from '@tensorflow/tfjs-core';

import { InvalidValueError } from '../errors.js';
import { isTensorDict } from './brand.js';
import { isPlainObject } from '../value-guards.js';

/**
 * A non-tensor leaf, as stored in a TensorDict. Wrap a value with {@link nonTensor} to store it as one leaf
 * even when it is a plain object (which would otherwise become a nested TensorDict). `get` returns the
 * unwrapped `value`, never the wrapper. A non-tensor leaf is batch-neutral: batch operations keep it as is.
 *
 * @example
 * td.set('config', nonTensor({ steps: 50 }));
 * td.get('config'); // { steps: 50 }
 */
export class NonTensor<T = unknown> {
  /** The wrapped value. */
  readonly value: T;

  constructor(value: T) {
    if (value instanceof tf.Tensor || isTensorDict(value)) {
      throw new InvalidValueError({
        what: `nonTensor() was given a ${value instanceof tf.Tensor ? 'tensor' : 'TensorDict'}`,
        where: 'nonTensor(value)',
        fix: 'Set tensors and nested TensorDicts directly; nonTensor() is for other values.',
      });
    }
    rejectTensorsInside(value, 'nonTensor(value)');
    this.value = value;
    Object.freeze(this);
  }
}

/**
 * Wraps a value so that a TensorDict stores it as a single non-tensor leaf (see {@link NonTensor}).
 *
 * @example
 * const td = new TensorDict({ input: x, meta: nonTensor({ label: 'cat' }) });
 * td.get('meta'); // { label: 'cat' }
 */
export function nonTensor<T>(value: T): NonTensor<T> {
  return new NonTensor(value);
}

/**
 * Throws if an array leaf holds tensors: the TensorDict would not own them, so clones and disposal would
 * silently share or leak them.
 *
 * @example
 * rejectTensorsInside([x, y], 'set("pair")'); // throws InvalidValueError
 */
export function rejectTensorsInside(value: unknown, where: string): void {
  if (
    Array.isArray(value) &&
    value.some((item: unknown) => item instanceof tf.Tensor || isTensorDict(item))
  ) {
    throw new InvalidValueError({
      what: 'An array leaf holds tensors or TensorDicts, which the TensorDict could not own',
      where,
      fix: 'Store each tensor under its own key, or tf.stack them into one tensor.',
    });
  }
}

/**
 * A short type description of a non-tensor value, as printed by `TensorDict.toString()`.
 *
 * @example
 * describeNonTensor('step'); // 'string'
 * describeNonTensor([1, 2]); // 'array(2)'
 */
export function describeNonTensor(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `array(${value.length})`;
  if (typeof value !== 'object') return typeof value;
  if (isPlainObject(value)) return 'object';
  const proto: unknown = Object.getPrototypeOf(value);
  const ctor: unknown =
    typeof proto === 'object' && proto !== null
      ? (proto as { constructor?: unknown }).constructor
      : undefined;
  return typeof ctor === 'function' && ctor.name !== '' ? ctor.name : 'object';
}

/**
 * A shallow copy of a non-tensor value for a cloned TensorDict: arrays and plain objects are copied one level
 * deep, everything else is shared.
 *
 * @example
 * copyNonTensorValue([1, 2]); // a new array [1, 2]
 */
export function copyNonTensorValue<T>(value: T): T {
  if (Array.isArray(value)) return [...value] as T;
  if (isPlainObject(value)) return { ...value };
  return value;
}

function deepEqual(a: unknown, b: unknown, path: Set<object>): boolean {
  if (a === b) return true;
  if (typeof a === 'number' && typeof b === 'number') return Number.isNaN(a) && Number.isNaN(b);
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  // A cycle: fall back to identity, which was already checked.
  if (path.has(a)) return false;
  path.add(a);
  try {
    if (Array.isArray(a) || Array.isArray(b)) {
      return (
        Array.isArray(a) &&
        Array.isArray(b) &&
        a.length === b.length &&
        a.every((item: unknown, index) => deepEqual(item, b[index], path))
      );
    }
    if (a instanceof Date || b instanceof Date) {
      return a instanceof Date && b instanceof Date && a.getTime() === b.getTime();
    }
    if (!isPlainObject(a) || !isPlainObject(b)) return false;
    const keys = Object.keys(a);
    return (
      keys.length === Object.keys(b).length &&
      keys.every((key) => Object.hasOwn(b, key) && deepEqual(a[key], b[key], path))
    );
  } finally {
    path.delete(a);
  }
}

/**
 * JSON-like deep equality of non-tensor leaves: primitives by value (NaN equals NaN), arrays and plain objects
 * element by element, dates by time, any other object by identity.
 *
 * @example
 * nonTensorEqual({ a: [1, 2] }, { a: [1, 2] }); // true
 */
export function nonTensorEqual(a: unknown, b: unknown): boolean {
  return deepEqual(a, b, new Set());
}
