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
