import * as tf from '@tensorflow/tfjs-core';

import { HookSession, InvalidValueError, TensorDict, UnknownPathError, type Captured } from '@tdhook/core';
import { describeStructure, isTensor } from '@tdhook/core/plugin';

import type { HookedTransformer } from '../model/hooked-transformer.js';
import { checkTokens } from '../model/input-checks.js';
import { closeNames } from './close-names.js';

/**
 * The backward half of {@link runWithCache}: a scalar metric of the logits whose gradient w.r.t. every
 * selected hook point is cached too.
 *
 * @example
 * const backward: RunWithCacheBackward = {
 *   metric: (logits) => tf.sum<tf.Scalar>(tf.slice(logits, [0, 11, 51], [1, 1, 1])),
 * };
 */
export interface RunWithCacheBackward {
  /** Called once, on the logits `[batch, pos, dVocab]`; returns a scalar (select logits with slices or one-hot products, not gather, which lacks a wasm gradient). */
  readonly metric: (logits: tf.Tensor) => tf.Scalar;
}

/**
 * Options of {@link runWithCache}.
 *
 * @example
 * const options: RunWithCacheOptions = { names: /hook_z$/, backward: { metric: (logits) => tf.sum(logits) } };
 */
export interface RunWithCacheOptions {
  /** Which hook points: exact names (each must exist) or a pattern over names (must match at least one). */
  readonly names: readonly string[] | RegExp;
  /** Also cache each selected hook point's gradient of a metric, in the same call. */
  readonly backward?: RunWithCacheBackward;
}

/**
 * What {@link runWithCache} returns; both are the caller's to dispose.
 *
 * @example
 * const { logits, cache }: RunWithCacheResult = model.runWithCache(tokens, { names: ['hook_embed'] });
 */
export interface RunWithCacheResult {
  /** `[batch, pos, dVocab]`. */
  readonly logits: tf.Tensor;
  /**
   * Batch shape `[batch]`. Forward values under the hook name (`'blocks.0.attn.hook_q'`, one key segment);
   * with `backward`, gradients under `['grad', name]`.
   */
  readonly cache: TensorDict;
}

const where = 'runWithCache';

function selectNames(model: HookedTransformer, names: unknown): string[] {
  const known = model.hookPoints();
  if (names instanceof RegExp) {
    const pattern = new RegExp(names.source, names.flags.replace(/[gy]/g, ''));
    const selected = known.filter((name) => pattern.test(name));
    if (selected.length === 0) {
      throw new InvalidValueError({
        what: `The pattern ${String(names)} matches no hook point`,
        where: `${where}: options.names`,
        fix: `Hook points look like ${known.slice(0, 4).join(', ')}, …; see model.hookPoints().`,
      });
    }
    return selected;
  }
  if (!Array.isArray(names) || names.some((name) => typeof name !== 'string')) {
    throw new InvalidValueError({
      what: `options.names must be an array of hook names or a RegExp, got ${describeStructure(names)}`,
      where: `${where}: options.names`,
      fix: "Pass e.g. ['blocks.0.attn.hook_pattern'] or /hook_resid_post$/.",
    });
  }
  const knownSet = new Set(known);
  for (const name of names as string[]) {
    if (!knownSet.has(name)) {
      throw new UnknownPathError({
        what: `No hook point named '${name}'`,
        where: `${where}: options.names`,
        fix: `Close names: ${closeNames(name, known).join(', ')}. model.hookPoints() lists them all.`,
      });
    }
  }
  return [...new Set(names as string[])];
}

function checkOptions(options: unknown): asserts options is RunWithCacheOptions {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidValueError({
      what: `options must be an object, got ${describeStructure(options)}`,
      where,
      fix: "Pass { names: ['blocks.0.attn.hook_pattern'] } or { names: /hook_z$/, backward: { metric } }.",
    });
  }
  const { backward } = options as { backward?: unknown };
  if (
    backward !== undefined &&
    (typeof backward !== 'object' ||
      backward === null ||
      typeof (backward as { metric?: unknown }).metric !== 'function')
  ) {
    throw new InvalidValueError({
      what: `options.backward must be { metric: (logits) => tf.Scalar }, got ${describeStructure(backward)}`,
      where: `${where}: options.backward`,
      fix: 'Pass a function of the logits that returns a scalar, or leave backward out.',
    });
  }
}

function scalarMetric(metric: RunWithCacheBackward['metric'], logits: tf.Tensor): tf.Scalar {
  const value: unknown = metric(logits);
  if (!isTensor(value) || value.rank !== 0 || value.dtype !== 'float32') {
    throw new InvalidValueError({
      what: `backward.metric must return a float32 scalar, got ${describeStructure(value)}`,
      where: `${where}: options.backward.metric`,
      fix: 'Reduce to one number, e.g. tf.sum(…) or tf.reshape(value, []).',
    });
  }
  return value as tf.Scalar;
}

/**
 * Runs `model` on `tokens` once and caches only the selected hook points: their forward values and, with
 * `backward`, their gradients of `backward.metric(logits)` (taken in the same call, through the whole
 * model: the gradients the model itself uses). Memory is bounded by the selection: nothing else is kept.
 * Unknown names are an `UnknownPathError` listing close names. If a `hook_result` is selected, the
 * attention layers compute it for this call (see `HookedTransformer.useAttnResult`) and are set back
 * after. Hooks are removed and the setting restored also when something throws.
 *
 * @example
 * const { logits, cache } = runWithCache(model, tokens, {
 *   names: /attn\.hook_z$/,
 *   backward: { metric: (logits) => tf.sum<tf.Scalar>(tf.slice(logits, [0, 11, 51], [1, 1, 1])) },
 * });
 * cache.getTensor('blocks.0.attn.hook_z');           // forward value [batch, pos, head, d_head]
 * cache.getTensor(['grad', 'blocks.0.attn.hook_z']); // its gradient, same shape
 * logits.dispose();
 * cache.dispose();
 */
export function runWithCache(
  model: HookedTransformer,
  tokens: tf.Tensor,
  options: RunWithCacheOptions,
): RunWithCacheResult {
  checkOptions(options);
  const names = selectNames(model, options.names);
  checkTokens(tokens, model.config, where);
  const { backward } = options;
  const wasOn = model.useAttnResult;
  const needsResult = names.some((name) => name.endsWith('.hook_result'));
  const values: [string, Captured][] = [];
  const gradients: [string, Captured][] = [];
  let logits: tf.Tensor | undefined;
  try {
    if (needsResult && !wasOn) model.setUseAttnResult(true);
    using session = new HookSession(model);
    for (const name of names) values.push([name, session.capture({ path: name })]);
    if (backward !== undefined) {
      for (const name of names) gradients.push([name, session.capture({ path: name, kind: 'gradient' })]);
    }
    if (backward === undefined) {
      const ran = session.run(() => model.call(tokens));
      if (!ran.stopped) logits = ran.value;
    } else {
      logits = runBackward(model, session, tokens, backward);
    }
    session.close();
    const cache = new TensorDict(undefined, { batchShape: [tokens.shape.at(0) ?? 1] });
    try {
      for (const [name, captured] of values) storeCaptured(cache, name, captured);
      for (const [name, captured] of gradients) storeCaptured(cache, ['grad', name], captured);
    } catch (error) {
      cache.dispose();
      throw error;
    }
    if (logits === undefined) throw new Error('runWithCache: the forward pass returned no logits');
    return { logits, cache };
  } catch (error) {
    logits?.dispose();
    throw error;
  } finally {
    for (const [, captured] of [...values, ...gradients]) captured.dispose();
    if (needsResult && !wasOn) model.setUseAttnResult(false);
  }
}

function storeCaptured(cache: TensorDict, key: string | [string, string], captured: Captured): void {
  const value = captured.value;
  if (value === undefined) return;
  // The dict takes this handle; the Captured gives it up (a clone is a handle of its own).
  cache.set(key, tf.clone(value));
}

function runBackward(
  model: HookedTransformer,
  session: HookSession,
  tokens: tf.Tensor,
  backward: RunWithCacheBackward,
): tf.Tensor {
  // The tape starts at the two embedding outputs, so that it reaches every hook point (hook_pos_embed
  // included) without differentiating the vocabulary-sized embedding matrix.
  const tokenEmbed = tf.tidy(() => model.embed.call(tokens));
  const posEmbed = tf.tidy(() => model.posEmbed.call(tokens));
  let logits: tf.Tensor | undefined;
  try {
    const ran = session.run(() =>
      tf.grads((e: tf.Tensor, p: tf.Tensor) => {
        const out = model.forwardFromParts(e, p);
        logits = tf.keep(tf.clone(out));
        return scalarMetric(backward.metric, out);
      })([tokenEmbed, posEmbed]),
    );
    if (!ran.stopped)
      ran.value.forEach((gradient) => {
        gradient.dispose();
      });
    if (logits === undefined) throw new Error('runWithCache: the forward pass returned no logits');
    return logits;
  } catch (error) {
    logits?.dispose();
    throw error;
  } finally {
    tokenEmbed.dispose();
    posEmbed.dispose();
  }
}
