import type * as tf from '@tensorflow/tfjs-core';
import { TensorDict, type Key, type KeyPath } from '@tdhook/core';

/**
 * A cache that the caller owns and that outlives the method writing into it (the original's `cache=`
 * argument). {@link activationCaching} with `cache` writes every captured value here, under `path` or
 * `[direction, path]`; the values stay after the prepared model is restored, until {@link ActivationCache.clear}
 * or {@link ActivationCache.dispose}. In TF.js this is where a cache "on another device" lives: the tensors
 * stay where the backend put them, apart from the published copies in the results.
 *
 * @example
 * using cache = new ActivationCache();
 * {
 *   using prepared = activationCaching({ select: 'fc1', cache, cacheKey: null }).prepare(model);
 *   prepared.run(data).dispose();
 * }
 * cache.get('fc1'); // fc1's output of the last run
 */
export class ActivationCache implements Disposable {
  readonly #values = new TensorDict();

  /** The keys held, `[path]` or `[direction, path]`. */
  keys(): KeyPath[] {
    return this.#values.keys();
  }

  /** True if a value is cached under `key`. */
  has(key: Key): boolean {
    return this.#values.has(key);
  }

  /** The cached tensor under `key`, lent: it stays the cache's (copy it to keep it past the next write). */
  get(key: Key): tf.Tensor {
    return this.#values.getTensor(key);
  }

  /** Stores `value` under `key`, taking it over; an older value there is disposed. */
  set(key: Key, value: tf.Tensor): void {
    this.#values.set(key, value); // disposes what was there
  }

  /** A new TensorDict (no batch dims) holding a copy of every cached value; the caller owns it. */
  toTensorDict(): TensorDict {
    return this.#values.clone();
  }

  /** Disposes every cached value; the cache stays usable. */
  clear(): void {
    for (const key of this.#values.keys({ nested: false, leavesOnly: false })) {
      this.#values.delete(key); // disposes what it held
    }
  }

  /** Disposes every cached value. */
  dispose(): void {
    this.clear();
  }

  [Symbol.dispose](): void {
    this.dispose();
  }

  /** How a method description shows it: the cache's tensors are data, not configuration. */
  describe(): string {
    return 'caller-owned ActivationCache';
  }
}
