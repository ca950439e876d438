import * as tf from '@tensorflow/tfjs-core';

import type { TensorDict } from './tensor-dict.js';

/** The registry-wide mark every TensorDict carries (set on its prototype). */
export const tensorDictBrand: unique symbol = Symbol.for('tdhook.TensorDict');

/**
 * True if `value` is a {@link TensorDict}, also one made by a second copy of the package (ESM and CJS side by
 * side), where `instanceof` would say no.
 *
 * @example
 * isTensorDict(new TensorDict()); // true
 * isTensorDict({ input: x });     // false: a plain object
 */
export function isTensorDict(value: unknown): value is TensorDict {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as Record<symbol, unknown>)[tensorDictBrand] === true
  );
}

/**
 * True if `value` is a `tf.Tensor` (typed as one, where `instanceof` would give `Tensor<any>`).
 *
 * @example
 * isTensor(tf.ones([2])); // true
 */
export function isTensor(value: unknown): value is tf.Tensor {
  return value instanceof tf.Tensor;
}
