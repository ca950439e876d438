import * as tf from '@tensorflow/tfjs-core';
import {
  formatKey,
  InvalidValueError,
  ShapeMismatchError,
  TensorDict,
  type HookSpec,
  type KeyPath,
  type MethodFactory,
  type ModelNode,
} from '@tdhook/core';
import {
  defineMethod,
  keyStartsWith,
  patternPath,
  type BindContext,
  type MethodModelInfo,
  type MethodRunner,
} from '@tdhook/core/plugin';

import {
  configureActivationCaching,
  hasGradientDirection,
  type ConfiguredActivationCaching,
} from './cache-configure.js';
import type { ActivationCachingOptions, CacheDirection } from './cache-options.js';
import { resolveSelection, type CacheEntry } from './cache-selection.js';
import {
  cacheEntryKey,
  forwardCaptureHook,
  forwardPreCaptureHook,
  gradientCaptureHook,
  type CaptureStore,
} from './capture-hooks.js';
import { runWithGradients } from './gradient-run.js';

const id = 'probing/activation-caching';

function hookSpec(entry: CacheEntry, direction: CacheDirection): HookSpec {
  return {
    path: entry.path,
    direction,
    operation: 'capture',
    ...(entry.target === undefined ? {} : { detail: { target: { ...entry.target } } }),
  };
}

/** The published key must not overlap a model key: the publication would overwrite it, or be overwritten. */
function checkCacheKey(cacheKey: KeyPath | null, model: MethodModelInfo): void {
  if (cacheKey === null) return;
  for (const [kind, keys] of [
    ['output', model.outKeys],
    ['input', model.inKeys],
  ] as const) {
    const clash = keys.find((key) => keyStartsWith(key, cacheKey) || keyStartsWith(cacheKey, key));
    if (clash !== undefined) {
      throw new InvalidValueError({
        what: `The cache key ${formatKey(cacheKey)} overlaps the model ${kind} ${formatKey(clash)}`,
        where: `${id} cacheKey`,
        fix: "Publish under a key of its own, e.g. cacheKey: 'cache' or ['activations', 'cache'].",
      });
    }
  }
}

function plannedHooks(options: ConfiguredActivationCaching, node: ModelNode | undefined): HookSpec[] {
  const { select, directions } = options;
  if (select instanceof RegExp && node === undefined) {
    return directions.map((direction) => ({
      path: patternPath,
      direction,
      operation: 'capture',
      detail: { modules: `paths matching ${String(select)} at the start` },
    }));
  }
  const entries = node === undefined ? (select as readonly CacheEntry[]) : resolveSelection(select, node);
  return entries.flatMap((entry) => directions.map((direction) => hookSpec(entry, direction)));
}

/**
 * The method's own store when the caller gives no cache: emptied after each publication, on failure and at
 * restore. It takes values from bind on (a workflow's shared pass calls collect, not run) until they are
 * published; afterwards only during run. A model call made directly on the prepared model before its first
 * run (or a shared pass that fails before collect) leaves at most one value per key, which the next run,
 * collect or the restore frees.
 */
class PassStore implements CaptureStore {
  readonly values = new Map<string, { readonly key: KeyPath; readonly value: tf.Tensor }>();
  armed = true;
  set(key: KeyPath, value: tf.Tensor): void {
    if (!this.armed) {
      value.dispose();
      return;
    }
    const id = JSON.stringify(key);
    this.values.get(id)?.value.dispose();
    this.values.set(id, { key, value });
  }
  get(key: KeyPath): tf.Tensor | undefined {
    return this.values.get(JSON.stringify(key))?.value;
  }
  clear(): void {
    for (const { value } of this.values.values()) value.dispose();
    this.values.clear();
  }
}

function bindCaching(options: ConfiguredActivationCaching, context: BindContext): MethodRunner {
  const { directions, nestedKeys, callback, cacheKey, cache } = options;
  const entries = resolveSelection(options.select, context.model.model);
  const own = cache === undefined ? new PassStore() : undefined;
  const store: CaptureStore = cache ?? (own as PassStore);
  if (own !== undefined) {
    // Registered first, so it runs after the hooks are gone: no capture can arrive once it has freed the store.
    context.onRestore(() => {
      own.clear();
      own.armed = false;
    });
  }
  if (cache !== undefined && options.clearCache) cache.clear();
  const keys: { key: KeyPath; entry: CacheEntry; direction: CacheDirection }[] = [];
  for (const entry of entries) {
    for (const direction of directions) {
      const key = cacheEntryKey(entry, direction, nestedKeys);
      keys.push({ key, entry, direction });
      const spec = hookSpec(entry, direction);
      if (direction === 'forward') {
        context.hook({ ...spec, direction }, forwardCaptureHook(entry, key, store, callback));
      } else if (direction === 'forward-pre') {
        context.hook({ ...spec, direction }, forwardPreCaptureHook(entry, key, store, callback));
      } else {
        context.hook({ ...spec, direction }, gradientCaptureHook(entry, direction, key, store, callback));
      }
    }
  }
  const cached = (key: KeyPath): tf.Tensor | undefined =>
    cache === undefined ? own?.get(key) : cache.has(key) ? cache.get(key) : undefined;

  // Publishes into `target` (the data's batch shape) and empties the own store, also on failure.
  const publish = (data: TensorDict, target: TensorDict): void => {
    try {
      if (cacheKey === null) return;
      const rows = data.batchShape.reduce((product, size) => product * size, 1);
      for (const { key, entry, direction } of keys) {
        const value = cached(key);
        if (value === undefined) {
          throw new InvalidValueError({
            what: `Nothing was cached for '${entry.path}' in direction ${direction}: the module did not run${direction.startsWith('backward') ? ', or no gradient reached it (integer tensors carry none)' : ''}`,
            where: id,
            fix: 'Select modules the model calls (and, for gradients, that lie between a float input or a variable and the outputs).',
          });
        }
        if (value.shape[0] !== rows) {
          throw new ShapeMismatchError({
            what: `The value cached for '${entry.path}' (${direction}) has shape [${value.shape.join(',')}], whose first axis is not the ${rows} batch rows`,
            where: id,
            fix: 'Cache a batch-major tensor (a callback may transpose it), or publish nothing (cacheKey: null) and read the cache.',
          });
        }
        // A new handle on the same data (a reshape shares it on every backend, where tf.clone copies on
        // wasm): the published value survives later runs and cache clears, and costs no copy.
        target.set([...cacheKey, ...key], tf.reshape(value, [...data.batchShape, ...value.shape.slice(1)]));
      }
    } finally {
      own?.clear();
      if (own !== undefined) own.armed = false;
    }
  };

  const collect = (data: TensorDict): TensorDict => {
    const result = new TensorDict({}, { batchShape: data.batchShape });
    try {
      publish(data, result);
      return result;
    } catch (error) {
      result.dispose();
      throw error;
    }
  };

  const forwardOnly = !hasGradientDirection(directions);
  const pass = (data: TensorDict): TensorDict =>
    forwardOnly ? context.model.run(data) : runWithGradients(context.model, data, options.objective);
  const run = (data: TensorDict): TensorDict => {
    own?.clear();
    if (own !== undefined) own.armed = true;
    let result: TensorDict | undefined;
    try {
      result = pass(data);
      // Straight into the result: collecting into a new dict and merging it would copy every value on wasm.
      publish(result, result);
      return result;
    } catch (error) {
      own?.clear();
      if (own !== undefined) own.armed = false;
      result?.dispose();
      throw error;
    }
  };
  // collect is offered only to forward captures: a gradient capture needs this method's own differentiated pass.
  return forwardOnly ? { run, collect } : { run };
}

/**
 * Caches module activations (the original's `ActivationCaching`): outputs, inputs, or the gradients w.r.t.
 * them, of the modules `select` names, published next to the model's outputs under `[...cacheKey, path]`
 * (or `[...cacheKey, direction, path]` when nested or with several directions), batch dims as the data's.
 * A read-only capture method: in a Workflow, forward caches share one model pass with other capture methods.
 * Gradient directions differentiate `objective` (default: the sum of the outputs) in the method's own pass
 * and declare `gradients: 'required'`.
 *
 * @example
 * using prepared = activationCaching({ select: /^fc\d$/ }).prepare(model);
 * using result = prepared.run(data);
 * result.getTensor(['cache', 'fc1']); // fc1's output, [batch, units]
 */
export const activationCaching: MethodFactory<ActivationCachingOptions, ConfiguredActivationCaching> =
  /* @__PURE__ */ defineMethod<ActivationCachingOptions, ConfiguredActivationCaching>({
    contract: 'tdhook.method/1',
    id,
    summary: 'Caches module activations (outputs, inputs or their gradients) under a key',
    configure: configureActivationCaching,
    requirements: ({ directions }) => ({
      modelPasses: 1,
      gradients: hasGradientDirection(directions) ? 'required' : 'optional',
    }),
    plan: (options, model) => {
      checkCacheKey(options.cacheKey, model);
      return {
        hooks: plannedHooks(options, model.node),
        inKeys: model.inKeys,
        outKeys: options.cacheKey === null ? [] : [options.cacheKey],
        collects: !hasGradientDirection(options.directions),
      };
    },
    bind: bindCaching,
  });
