import type * as tf from '@tensorflow/tfjs-core';

import type { Key, KeyPath } from '../keys.js';

/**
 * What a TensorDict is built from: a plain nested object (plain objects become nested TensorDicts) or an
 * iterable of `[key, value]` pairs (an array of pairs, a `Map`).
 *
 * @example
 * const nested: TensorDictEntries = { input: x, attr: { input: a } };
 * const pairs: TensorDictEntries = [['input', x], [['attr', 'input'], a]];
 */
export type TensorDictEntries = Readonly<Record<string, unknown>> | Iterable<readonly [Key, unknown]>;

/**
 * Options of the TensorDict constructor.
 *
 * @example
 * new TensorDict({ input: tf.ones([2, 16]) }, { batchShape: [2] });
 */
export interface TensorDictOptions {
  /** The leading dims every tensor shares. Default `[]`. */
  readonly batchShape?: readonly number[];
}

/**
 * Which keys `keys()` and `entries()` list.
 *
 * @example
 * td.keys({ nested: false, leavesOnly: false }); // top-level keys, nested dicts included
 */
export interface KeysOptions {
  /** Descend into nested TensorDicts. Default `true`. */
  readonly nested?: boolean;
  /** List leaves only, not the nested TensorDicts themselves. Default `true`. */
  readonly leavesOnly?: boolean;
}

/**
 * Options of `select()`, given as its last argument.
 *
 * @example
 * td.select('input', 'maybe', { strict: false });
 */
export interface SelectOptions {
  /** Throw MissingKeyError for a key that is not there. Default `true`; `false` skips it. */
  readonly strict?: boolean;
}

/**
 * Options of `apply()`.
 *
 * @example
 * td.apply((x) => tf.sum(x, 0), { batchShape: [] });
 */
export interface ApplyOptions {
  /** The batch shape of the result, when `fn` changes the batch dims. Default: the source's batch shape. */
  readonly batchShape?: readonly number[];
}

/**
 * The function `apply()` maps over tensor leaves. It gets a lent tensor (do not dispose it) and its key, and
 * returns a new tensor for the result, or `undefined` to drop the entry.
 *
 * @example
 * const double: ApplyFn = (x) => tf.mul(x, 2);
 */
export type ApplyFn = (tensor: tf.Tensor, key: KeyPath) => tf.Tensor | undefined;
