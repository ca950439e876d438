import { DisposedError } from '@tdhook/core';

import type { LayerKeyValues } from './key-value-slot.js';

/**
 * The keys and values of every layer for the positions a model has seen, for generation without recomputing
 * the prefix (see {@link HookedTransformer.forwardWithCache}). One entry per layer, each
 * `[batch, length, head, d_head]` as `hook_k` / `hook_v` output them (hooks' replacements included). The
 * caller owns it: dispose it when done, or once a longer cache replaced it.
 *
 * @example
 * const first = model.forwardWithCache(prompt);          // cache of the prompt
 * const next = model.forwardWithCache(nextToken, first.cache);
 * first.cache.dispose();                                 // next.cache holds every position so far
 */
export class KeyValueCache implements Disposable {
  readonly #layers: readonly LayerKeyValues[];
  #disposed = false;

  constructor(layers: readonly LayerKeyValues[]) {
    this.#layers = [...layers];
  }

  /** Per layer, its keys and values. */
  get layers(): readonly LayerKeyValues[] {
    if (this.#disposed) {
      throw new DisposedError({
        what: 'This key/value cache was disposed',
        where: 'KeyValueCache.layers',
        fix: 'Keep the cache until the last forwardWithCache call that uses it, then dispose it.',
      });
    }
    return this.#layers;
  }

  /** The number of positions it holds: the position the next token will take. */
  get length(): number {
    return this.#layers[0]?.key.shape[1] ?? 0;
  }

  /** The batch size. */
  get batchSize(): number {
    return this.#layers[0]?.key.shape[0] ?? 0;
  }

  /** True once {@link KeyValueCache.dispose} ran. */
  get isDisposed(): boolean {
    return this.#disposed;
  }

  /**
   * Disposes every key and value. Safe to call more than once.
   *
   * @example
   * cache.dispose();
   */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    for (const { key, value } of this.#layers) {
      key.dispose();
      value.dispose();
    }
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}
