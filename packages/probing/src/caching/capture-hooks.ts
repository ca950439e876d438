import * as tf from '@tensorflow/tfjs-core';
import {
  InvalidValueError,
  type ForwardHook,
  type ForwardPreHook,
  type GradientHook,
  type KeyPath,
} from '@tdhook/core';
import { describeStructure, describeTarget, isTensor, selectUnits, tensorLeaves } from '@tdhook/core/plugin';

import type { CacheCallback, CacheDirection } from './cache-options.js';
import type { CacheEntry } from './cache-selection.js';

/** Where the hooks put what they capture: a caller's ActivationCache or the method's own store. */
export interface CaptureStore {
  set(key: KeyPath, value: tf.Tensor): void;
}

/** The key of one cached value: `[path]`, or `[direction, path]` when nested. */
export function cacheEntryKey(entry: CacheEntry, direction: CacheDirection, nested: boolean): KeyPath {
  return nested ? [direction, entry.path] : [entry.path];
}

function onlyTensor(value: unknown, path: string, direction: CacheDirection): tf.Tensor {
  const leaves = tensorLeaves(value);
  const [only] = leaves;
  if (only === undefined || leaves.length !== 1) {
    throw new InvalidValueError({
      what: `Module '${path}' gave ${describeStructure(value)} in direction ${direction}, not one tensor`,
      where: `activationCaching '${path}'`,
      fix: 'Pass callback: (value) => the tensor to cache (e.g. one element of the array).',
    });
  }
  return only;
}

// Kept: the model runs inside a tidy (or tf.grad's) that would dispose it. A new handle on the same data, so
// that the cache's handle is independent of the model's: a reshape to the same shape, which every backend
// answers by sharing the data (tf.clone would too on cpu, but the wasm backend copies it).
function keepCopy(value: tf.Tensor): tf.Tensor {
  return tf.keep(tf.reshape(value, value.shape));
}

function fromCallback(
  callback: CacheCallback,
  value: unknown,
  context: Parameters<CacheCallback>[1],
): tf.Tensor | undefined {
  const picked: unknown = callback(value, context);
  if (picked === undefined) return undefined;
  if (!isTensor(picked)) {
    throw new InvalidValueError({
      what: `The cache callback returned ${describeStructure(picked)} for '${context.path}' (${context.direction}), not a tensor`,
      where: `activationCaching '${context.path}'`,
      fix: 'Return a tensor, or undefined to cache nothing for this call.',
    });
  }
  return picked;
}

/** A forward hook caching the output (a Target's units of it, or what the callback picks). */
export function forwardCaptureHook(
  entry: CacheEntry,
  key: KeyPath,
  store: CaptureStore,
  callback: CacheCallback | undefined,
): ForwardHook {
  const { path, target } = entry;
  return (output) => {
    if (target !== undefined) {
      const where = describeTarget(target);
      const leaf = tensorLeaves(output)[target.outputIndex ?? 0];
      if (leaf === undefined) {
        throw new InvalidValueError({
          what: `Module '${path}' returned ${describeStructure(output)}, which has no tensor ${target.outputIndex ?? 0}`,
          where,
          fix: 'Use an outputIndex that exists.',
        });
      }
      store.set(key, tf.keep(selectUnits(leaf, target, where)));
      return undefined;
    }
    const value =
      callback === undefined
        ? onlyTensor(output, path, 'forward')
        : fromCallback(callback, output, { path, direction: 'forward' });
    if (value !== undefined) store.set(key, keepCopy(value));
    return undefined;
  };
}

/** A forward-pre hook caching the module's single tensor argument (or what the callback picks). */
export function forwardPreCaptureHook(
  entry: CacheEntry,
  key: KeyPath,
  store: CaptureStore,
  callback: CacheCallback | undefined,
): ForwardPreHook {
  const { path } = entry;
  return (args) => {
    const value =
      callback === undefined
        ? onlyTensor(args, path, 'forward-pre')
        : fromCallback(callback, args, { path, direction: 'forward-pre' });
    if (value !== undefined) store.set(key, keepCopy(value));
    return undefined;
  };
}

/**
 * A gradient hook caching the gradient w.r.t. the module's first output (`backward-pre`) or first input
 * (`backward`), or what the callback picks from each of them.
 */
export function gradientCaptureHook(
  entry: CacheEntry,
  direction: 'backward' | 'backward-pre',
  key: KeyPath,
  store: CaptureStore,
  callback: CacheCallback | undefined,
): GradientHook {
  const { path } = entry;
  return (gradient, { index }) => {
    const value =
      callback === undefined
        ? index === 0
          ? gradient
          : undefined
        : fromCallback(callback, gradient, { path, direction, index });
    if (value !== undefined) store.set(key, keepCopy(value));
    return undefined;
  };
}
