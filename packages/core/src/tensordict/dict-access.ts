import type * as tf from '@tensorflow/tfjs-core';

import type { NonTensor } from './non-tensor.js';
import type { TensorDict } from './tensor-dict.js';

/**
 * What a TensorDict stores under one segment: a tensor, a wrapped non-tensor leaf, or a nested TensorDict.
 *
 * @example
 * const stored: Stored = tf.ones([2]);
 */
export type Stored = tf.Tensor | NonTensor | TensorDict;

/**
 * Access to a TensorDict's private state, lent by the class to the modules that plan writes and build new
 * dicts (it is not part of the public API).
 *
 * @example
 * access.put(dict, 'x', tensor); // stores and records ownership, no checks
 */
export interface DictAccess {
  entry(dict: TensorDict, segment: string): Stored | undefined;
  entries(dict: TensorDict): Iterable<readonly [string, Stored]>;
  batchShape(dict: TensorDict): readonly number[];
  owner(dict: TensorDict): TensorDict | undefined;
  /** A new empty dict, marked as nested under `owner` (but not yet stored in it) when one is given. */
  create(batchShape: readonly number[], owner: TensorDict | undefined): TensorDict;
  /** Stores `value` without checks or disposal and records who owns it; returns what was there before. */
  put(dict: TensorDict, segment: string, value: Stored): Stored | undefined;
  /** Removes an entry without disposing it. */
  remove(dict: TensorDict, segment: string): void;
  /** Disposes a stored value: a tensor (forgetting its owner), or a whole nested dict. */
  release(stored: Stored): void;
}
