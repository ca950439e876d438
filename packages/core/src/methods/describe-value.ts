import { ContractError } from '../errors.js';
import { isPlainObject } from '../value-guards.js';

/**
 * A JSON value.
 *
 * @example
 * const description: JsonValue = describeValue({ paths: ['fc1'], order: 2 }); // { order: 2, paths: ['fc1'] }
 */
export type JsonValue =
  null | boolean | number | string | readonly JsonValue[] | { readonly [key: string]: JsonValue };

/**
 * A JSON object (the detail of a hook spec, the parameters of an LRP rule).
 *
 * @example
 * const detail: JsonObject = { rule: 'epsilon', params: { epsilon: 1e-6 } };
 */
export type JsonObject = { readonly [key: string]: JsonValue };

/**
 * Something that can describe itself as JSON (a configured method).
 *
 * @example
 * const describable: Describable = activationNorms({ paths: ['fc1'] });
 * describeValue({ steps: [describable] }); // { steps: [{ id: 'acme/activation-norms', … }] }
 */
export interface Describable {
  describe(options?: DescribeOptions): JsonValue;
}

/**
 * Options of `describe()`.
 *
 * @example
 * const options: DescribeOptions = { callbackIds: new Map([[myReduce, 'l2-norm']]) };
 * method.describe(options); // the callback appears as { callback: 'l2-norm' }
 */
export interface DescribeOptions {
  /**
   * Stable names for the callbacks in a configuration. Functions have no stable identity across runs, so a
   * description that contains one needs a name for it.
   */
  readonly callbackIds?: ReadonlyMap<unknown, string>;
}

function isDescribable(value: object): value is Describable {
  return typeof (value as Partial<Describable>).describe === 'function';
}

/**
 * Turns a configuration into frozen JSON: primitives as they are, arrays and plain objects (keys sorted,
 * `undefined` dropped) recursively, callbacks as `{ callback: id }` from `callbackIds`, regular expressions as
 * `{ regexp, flags }`, configured methods as their own description. Anything else (tensors, class instances,
 * NaN) is rejected with a {@link ContractError} naming where it is.
 *
 * @example
 * describeValue({ paths: ['fc1'], reduce: myFn }, { callbackIds: new Map([[myFn, 'l2-norm']]) });
 * // { paths: ['fc1'], reduce: { callback: 'l2-norm' } }
 */
export function describeValue(value: unknown, options: DescribeOptions = {}, where = 'options'): JsonValue {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return value;
  if (typeof value === 'number') {
    if (Number.isFinite(value)) return value;
    throw new ContractError({
      what: `${String(value)} is not JSON-compatible`,
      where,
      fix: 'Use a finite number.',
    });
  }
  if (typeof value === 'function') {
    const id = options.callbackIds?.get(value);
    if (id === undefined || id === '') {
      throw new ContractError({
        what: 'A callback needs an explicit stable identifier to be described',
        where,
        fix: 'Pass describe({ callbackIds: new Map([[callback, "my-callback"]]) }).',
      });
    }
    return Object.freeze({ callback: id });
  }
  if (typeof value !== 'object') {
    throw new ContractError({
      what: `A ${typeof value} is not JSON-compatible`,
      where,
      fix: 'Describe it with strings, numbers, arrays or plain objects.',
    });
  }
  if (Array.isArray(value))
    return Object.freeze(
      value.map((item: unknown, index) => describeValue(item, options, `${where}[${index}]`)),
    );
  if (value instanceof RegExp) return Object.freeze({ regexp: value.source, flags: value.flags });
  if (isDescribable(value)) return value.describe(options);
  if (!isPlainObject(value)) {
    throw new ContractError({
      what: `A ${value.constructor.name} is not JSON-compatible`,
      where,
      fix: 'Configurations hold JSON-like values; pass tensors through TensorDict keys instead.',
    });
  }
  const entries = Object.entries(value)
    .filter(([, item]) => item !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, item]) => [key, describeValue(item, options, `${where}.${key}`)] as const);
  return Object.freeze(Object.fromEntries(entries));
}
