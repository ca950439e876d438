import type * as tf from '@tensorflow/tfjs-core';

import { isPlainObject, isTensor } from '../value-guards.js';

/**
 * Rebuilds `value` with every tensor leaf replaced by `fn(tensor, index)`, where `index` counts tensor leaves
 * in order. Walks tensors, arrays and plain objects; anything else is kept as is.
 *
 * @example
 * mapTensorLeaves({ logits, hidden: [h1, h2] }, (t) => tf.mul(t, 2)); // same structure, doubled tensors
 */
export function mapTensorLeaves(
  value: unknown,
  fn: (tensor: tf.Tensor, index: number) => tf.Tensor,
): unknown {
  let index = 0;
  const walk = (node: unknown): unknown => {
    if (isTensor(node)) return fn(node, index++);
    if (Array.isArray(node)) return node.map(walk);
    if (isPlainObject(node))
      return Object.fromEntries(Object.entries(node).map(([key, child]) => [key, walk(child)]));
    return node;
  };
  return walk(value);
}

/**
 * The tensor leaves of `value`, in the order {@link mapTensorLeaves} visits them.
 *
 * @example
 * tensorLeaves([a, { b }]); // [a, b]
 */
export function tensorLeaves(value: unknown): tf.Tensor[] {
  const leaves: tf.Tensor[] = [];
  mapTensorLeaves(value, (tensor) => {
    leaves.push(tensor);
    return tensor;
  });
  return leaves;
}

/**
 * Describes a value's structure for messages: `float32[2,16]`, `[float32[2,4], int32[2]]`, `string`.
 *
 * @example
 * describeStructure([tf.zeros([2, 4]), 'x']); // '[float32[2,4], string]'
 */
export function describeStructure(value: unknown): string {
  if (isTensor(value)) return `${value.dtype}[${value.shape.join(',')}]`;
  if (Array.isArray(value)) return `[${value.map(describeStructure).join(', ')}]`;
  if (isPlainObject(value)) {
    return `{${Object.entries(value)
      .map(([key, child]) => `${key}: ${describeStructure(child)}`)
      .join(', ')}}`;
  }
  return value === null ? 'null' : typeof value;
}

/**
 * True if `replacement` has the structure of `original`: tensors of the same shape and dtype at the same
 * places, arrays of the same length, objects with the same keys, other values of the same type.
 */
export function sameStructure(original: unknown, replacement: unknown): boolean {
  if (isTensor(original)) {
    return (
      isTensor(replacement) &&
      replacement.dtype === original.dtype &&
      replacement.shape.length === original.shape.length &&
      replacement.shape.every((size, axis) => size === original.shape[axis])
    );
  }
  if (Array.isArray(original)) {
    return (
      Array.isArray(replacement) &&
      replacement.length === original.length &&
      original.every((item, index) => sameStructure(item, replacement[index]))
    );
  }
  if (isPlainObject(original)) {
    if (!isPlainObject(replacement)) return false;
    const keys = Object.keys(original);
    return (
      keys.length === Object.keys(replacement).length &&
      keys.every((key) => key in replacement && sameStructure(original[key], replacement[key]))
    );
  }
  return typeof original === typeof replacement;
}
