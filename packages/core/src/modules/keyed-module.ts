import type * as tf from '@tensorflow/tfjs-core';

import type { KeyMapping } from '../methods/keyed-model.js';
import { Module } from './module.js';

/**
 * A {@link Module} that owns its TensorDict keys (the original's `TensorDictModuleBase`, as TorchRL actors
 * are): every method, workflow and `KeyedModel` reads its inputs from `inKeys` and writes its outputs under
 * `outKeys` without being told. Keys given to `prepare` are only checked against the module's own.
 * `forward` takes the inputs in `inKeys` order (or one record for a record mapping) and returns one output
 * per `outKeys` entry (an array, or a record for a record mapping). Write nested keys `as const` (or type the
 * field as {@link KeyMapping}), so that `['masks', 'valid']` is a key path and not a `string[]`.
 *
 * @example
 * class Policy extends KeyedModule<[tf.Tensor], Record<string, tf.Tensor>> {
 *   readonly inKeys = ['observation'];
 *   readonly outKeys = { logits: 'logits', value: 'value' };
 *   readonly actor = this.registerModule('actor', new Linear(4, 2));
 *   readonly critic = this.registerModule('critic', new Linear(4, 1));
 *   forward(observation: tf.Tensor) {
 *     return { logits: this.actor.call(observation), value: tf.squeeze(this.critic.call(observation), [-1]) };
 *   }
 * }
 * using prepared = saliency({ target: { output: 'value' } }).prepare(new Policy()); // no keys needed
 */
export abstract class KeyedModule<
  Inputs extends unknown[] = [tf.Tensor],
  Output = Record<string, tf.Tensor>,
> extends Module<Inputs, Output> {
  /** The keys the module reads, in argument order (or by field for a record). */
  abstract readonly inKeys: KeyMapping;
  /** The keys the module writes, in output order (or by field for a record). */
  abstract readonly outKeys: KeyMapping;
}
