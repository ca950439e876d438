import * as tf from '@tensorflow/tfjs-core';

/**
 * True for an object literal (prototype `Object.prototype` or `null`): the values tdhook walks into (nested
 * TensorDict entries, structured module outputs, configurations), unlike class instances, arrays and tensors.
 *
 * @example
 * isPlainObject({ a: 1 });   // true
 * isPlainObject(new Date()); // false
 */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/**
 * True for a tensor: a type guard that keeps the `Rank` type, where `instanceof` narrows to `Tensor<any>`.
 *
 * @example
 * if (isTensor(value)) value.shape;
 */
export function isTensor(value: unknown): value is tf.Tensor {
  return value instanceof tf.Tensor;
}
