import type * as tf from '@tensorflow/tfjs-core';
import type { Key, Target } from '@tdhook/core';

import type { ActivationCache } from './activation-cache.js';

/**
 * The hook directions a cache can read: a module's output (`forward`), its inputs (`forward-pre`), the
 * gradient w.r.t. its output (`backward-pre`) or w.r.t. its inputs (`backward`).
 *
 * @example
 * const both: CacheDirection[] = ['forward', 'backward-pre'];
 */
export type CacheDirection = 'forward' | 'forward-pre' | 'backward' | 'backward-pre';

/**
 * Which modules to cache: a `RegExp` over module paths (anchored at the start, as Python's `re.match`: add
 * `$` to anchor the end), one module path, one {@link Target} (its units only), or a list of paths and
 * Targets.
 *
 * @example
 * const everyDense: CacheSelection = /^fc\d+$/;
 * const units: CacheSelection = { path: 'fc2', indices: [0, 2] };
 * const some: CacheSelection = ['fc1', { path: 'fc2', indices: [3] }];
 */
export type CacheSelection = RegExp | string | Target | readonly (string | Target)[];

/**
 * Where a cached value came from, as a {@link CacheCallback} is told.
 *
 * @example
 * const where: CacheCallbackContext = { path: 'fc1', direction: 'backward', index: 0 };
 */
export interface CacheCallbackContext {
  readonly path: string;
  readonly direction: CacheDirection;
  /** For gradient directions: which of the module's input (`backward`) or output (`backward-pre`) tensors. */
  readonly index?: number;
}

/**
 * Turns what a hook sees into the tensor to cache (the original's `callback`): the module's output
 * (`forward`), its argument list (`forward-pre`), or one gradient tensor (gradient directions, once per
 * tensor). Return `undefined` to cache nothing for this call. The model runs inside `tf.tidy`: return a new
 * tensor or the value itself; the cache keeps its own reference.
 *
 * @example
 * const lastToken: CacheCallback = (value) => tf.gather(value as tf.Tensor, [-1], 1);
 */
export type CacheCallback = (value: unknown, context: CacheCallbackContext) => tf.Tensor | undefined;

/**
 * The function whose gradient the gradient directions observe: it gets the model's outputs (in `outKeys`
 * order, batch dims flattened into one) and returns a tensor; its sum is differentiated.
 *
 * @example
 * const logitOfClassThree: CacheObjective = ([logits]) => tf.slice(logits, [0, 3], [-1, 1]);
 */
export type CacheObjective = (outputs: readonly tf.Tensor[]) => tf.Tensor;

/**
 * Options of {@link activationCaching}.
 *
 * @example
 * const options: ActivationCachingOptions = { select: /^fc\d$/, directions: ['forward'], cacheKey: ['activations', 'mlp'] };
 */
export interface ActivationCachingOptions {
  /** Which modules (see {@link CacheSelection}). */
  readonly select: CacheSelection;
  /** Which hook directions to read. Default `['forward']`. A Target takes `['forward']` only. */
  readonly directions?: readonly CacheDirection[];
  /**
   * Where the cache is published in the result: `[...cacheKey, path]`. Default `'cache'`. `null` publishes
   * nothing (read a caller-owned {@link ActivationCachingOptions.cache} instead).
   */
  readonly cacheKey?: Key | null;
  /**
   * Key each value `[direction, path]` instead of `path`. Default `false`; with more than one direction the
   * keys are always nested.
   */
  readonly nestedKeys?: boolean;
  /** Turns what a hook sees into the tensor to cache. Default: the output / single input / gradient tensor. */
  readonly callback?: CacheCallback;
  /**
   * For the gradient directions: the function of the model outputs whose gradient is observed. Default: the
   * sum of every model output.
   */
  readonly objective?: CacheObjective;
  /** A caller-owned cache the hooks write into (and that outlives the method). Default: none. */
  readonly cache?: ActivationCache;
  /** Empty the caller-owned `cache` when the method is prepared. Default `true`. */
  readonly clearCache?: boolean;
}
