import * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError, type MethodFactory } from '@tdhook/core';
import {
  type BindContext,
  checkOptionNames,
  defineMethod,
  describeStructure,
  isTensor,
  type MethodRunner,
} from '@tdhook/core/plugin';

import { callAdapter } from './adapter.js';
import {
  adapterSpecs,
  checkAdapterEntries,
  namedAdapters,
  resolveAdapterPaths,
  type AdapterEntry,
  type ConfiguredAdapterEntry,
  type NamedAdapter,
} from './adapter-entries.js';

const id = 'weights/adapters';

/**
 * Options of {@link adapters}.
 *
 * @example
 * const options: AdaptersOptions = { adapters: { sae: { adapter: sae, from: 'blocks.0.hook_resid_post' } } };
 */
export interface AdaptersOptions {
  /** The adapters by name: each replaces `to`'s output by `adapter(from's output)` (`to` defaults to `from`). */
  readonly adapters: Readonly<Record<string, AdapterEntry>>;
}

/**
 * The options of {@link adapters} once checked: every entry's `to` filled in.
 *
 * @example
 * adapters({ adapters: { double: { adapter, from: 'linear2' } } }).options.adapters.double.to; // 'linear2'
 */
export interface ConfiguredAdapters {
  readonly adapters: Readonly<Record<string, ConfiguredAdapterEntry>>;
}

// The original's options that have no counterpart here, with what to do instead.
const renamed: Readonly<Record<string, string>> = {
  cache_callback:
    'The captured value goes straight to the adapter: do what the callback did inside the adapter.',
  relative: 'Paths are always relative to the prepared model: remove it.',
  directions: 'Adapters read and replace forward outputs only: remove it.',
  cache: 'The captured value is held by the method while a forward call runs: remove it.',
  clear_cache: 'The captured value is freed after each use: remove it.',
};

function configure(options: AdaptersOptions): ConfiguredAdapters {
  checkOptionNames(options, ['adapters'], renamed, id);
  return { adapters: checkAdapterEntries(options.adapters, id) };
}

/** The one tensor a module returned, else a typed error: adapters read and replace single-tensor outputs. */
function singleTensor(output: unknown, path: string): tf.Tensor {
  if (!isTensor(output)) {
    throw new InvalidValueError({
      what: `Module '${path}' returned ${describeStructure(output)}, not one tensor`,
      where: id,
      fix: 'Put adapters on modules (or hook points) that return one tensor.',
    });
  }
  return output;
}

function bindAdapter(entry: NamedAdapter, context: BindContext): () => void {
  const { name, adapter, from, to } = entry;
  const { capture, replace } = adapterSpecs(entry);
  if (from === to) {
    // In place: to's output → adapter(output).
    context.hook(replace, (output) => {
      const current = singleTensor(output, to);
      return callAdapter(adapter, current, { name, output: current }, to, id);
    });
    return () => undefined;
  }
  // Cross-layer: the value from's hook captured in this forward call, used (and freed) by to's hook.
  let captured: tf.Tensor | undefined;
  const release = (): void => {
    captured?.dispose();
    captured = undefined;
  };
  context.hook(capture, (output) => {
    const value = singleTensor(output, from);
    release();
    // Kept: the model runs inside a tidy; a reshape is a new handle on the same data (no copy).
    captured = tf.keep(tf.reshape(value, value.shape));
    return undefined;
  });
  context.hook(replace, (output) => {
    const current = singleTensor(output, to);
    const value = captured;
    if (value === undefined) {
      throw new InvalidValueError({
        what: `Adapter '${name}' replaces the output of '${to}', but '${from}' did not run before it in this forward call`,
        where: id,
        fix: `Read a module that runs before '${to}' (from), or swap from and to.`,
      });
    }
    try {
      const result = callAdapter(adapter, value, { name, output: current }, to, id);
      // An adapter that returns its input (identity) gets a handle of its own: the capture is freed below.
      return result === value ? tf.reshape(result, result.shape) : result;
    } finally {
      release();
    }
  });
  return release;
}

function bindAdapters(options: ConfiguredAdapters, context: BindContext): MethodRunner {
  const releases = namedAdapters(options.adapters).map((entry) => bindAdapter(entry, context));
  const releaseAll = (): void => {
    for (const release of releases) release();
  };
  context.onRestore(releaseAll);
  return {
    run: (data) => {
      try {
        return context.model.run(data);
      } finally {
        releaseAll(); // a capture whose `to` never ran in this call
      }
    },
  };
}

/**
 * Adapters (the original's `Adapters`): splice modules into a model. An in-place adapter (`to` = `from`, the
 * default) replaces the module's output by `adapter(output)`; a cross-layer one (a transcoder) captures
 * `from`'s output and replaces `to`'s output by `adapter(captured)`. The adapters live in the method, never in
 * the model: its modules and parameters stay what they were. The hooks act on every forward call while the
 * model is prepared (`run(data)` and direct calls alike). Program, per adapter in record order:
 * `[capture forward from]` (cross-layer only), then `replace forward to`. One pass, model keys unchanged.
 *
 * Typed errors: bad options (`InvalidValueError`, at the call), a path the model lacks (`UnknownPathError`,
 * at prepare, before any hook is installed), an adapter result that is not a tensor of the replaced output's
 * shape (`ShapeMismatchError`) and dtype, a `from` that runs after `to` (`InvalidValueError`, at run; the model
 * is restored).
 *
 * @example
 * using prepared = adapters({
 *   adapters: { sae: { adapter: sae, from: 'blocks.0.hook_resid_post' } },
 * }).prepare(model);
 * using result = prepared.run(data); // the logits with the residual stream read through the SAE
 */
export const adapters: MethodFactory<AdaptersOptions, ConfiguredAdapters> = /* @__PURE__ */ defineMethod<
  AdaptersOptions,
  ConfiguredAdapters
>({
  contract: 'tdhook.method/1',
  id,
  summary: 'Splices adapters (SAEs, transcoders, any module) into a model',
  configure,
  requirements: () => ({ modelPasses: 1, gradients: 'optional' }),
  plan: (options, model) => {
    const entries = namedAdapters(options.adapters);
    if (model.node !== undefined) resolveAdapterPaths(entries, model.node);
    return {
      hooks: entries.flatMap((entry) => adapterSpecs(entry).program),
      inKeys: model.inKeys,
      outKeys: [],
    };
  },
  bind: bindAdapters,
});
