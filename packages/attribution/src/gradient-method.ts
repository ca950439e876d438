import * as tf from '@tensorflow/tfjs-core';

import {
  ContextError,
  formatKey,
  InvalidValueError,
  MissingKeyError,
  toKeyPath,
  type GradientHook,
  type HookSpec,
  type Key,
  type KeyedModel,
  type KeyPath,
  type MethodPlan,
  type TensorDict,
} from '@tdhook/core';
import { type BindContext, type MethodModelInfo } from '@tdhook/core/plugin';

import { captureSpecs, ModuleCaptures } from './engine/module-captures.js';
import type { GradientPass, GradientSources, TargetStrategy } from './engine/gradient-pass.js';
import {
  checkTarget,
  listTargets,
  resolveTarget,
  targetSource,
  type AttributionTarget,
  type ResolvedTarget,
  type TargetSource,
} from './targets.js';

/**
 * Options every gradient-based attribution method shares: what to explain (targets), what to attribute to
 * (inputs and modules), where results go and how the work is split.
 *
 * @example
 * const options: GradientAttributionOptions = {
 *   targets: { actor: { output: 'logits', select: 'argmax' }, critic: { output: 'value' } },
 *   inputs: ['observation'],
 *   modules: ['encoder'],
 * };
 */
export interface GradientAttributionOptions {
  /** One target; results go to `[attributionKey, source]`. Default `{}`: the only output, its only unit. */
  readonly target?: AttributionTarget;
  /** Several named targets in one call; results go to `[attributionKey, name, source]`. */
  readonly targets?: Readonly<Record<string, AttributionTarget>>;
  /** Model input keys attributed to. Default: every model input. `[]` with `modules` for latent only. */
  readonly inputs?: readonly Key[];
  /** Module paths whose outputs are attributed to (layer attribution); results under the path. */
  readonly modules?: readonly string[];
  /** The key results are written under. Default `'attr'`. */
  readonly attributionKey?: Key;
  /** At most this many rows per model pass, to bound memory. Default: everything in one pass. */
  readonly chunkSize?: number;
  /** How several targets are differentiated (see {@link TargetStrategy}). Default `'shared'`. */
  readonly strategy?: TargetStrategy;
  /**
   * Rewrites the gradient (for LRP: the relevance) that flows back into a module's output, by module path:
   * conditions the attribution on part of a layer, e.g. one concept channel
   * (`{ conv2: conceptChannelGradient({ channel: 5 }) }`). Installed as backward-pre hooks for the run. An
   * {@link OutputGradientFromData} is chosen at run time from the run's data, e.g. the channel an earlier
   * workflow step selected (`{ conv2: selectedChannelGradient() }`).
   */
  readonly outputGradients?: Readonly<Record<string, OutputGradient>>;
}

/**
 * An output gradient chosen for each run from the run's data: in a Workflow, from what earlier steps wrote
 * (the concept channel a `conceptSelection` step selected, say). Its `inKeys` become inputs of the method's
 * plan, so a workflow checks before anything runs that the data or an earlier step provides them.
 *
 * @example
 * const fromMask: OutputGradientFromData = {
 *   inKeys: ['mask'],
 *   fromData: (data) => {
 *     const mask = data.getTensor('mask'); // [C], lent by the run's data
 *     return (gradient) => tf.mul(gradient, mask);
 *   },
 * };
 * saliency({ target: { select: 'argmax' }, outputGradients: { fc1: fromMask } });
 */
export interface OutputGradientFromData {
  /** The TensorDict keys `fromData` reads. */
  readonly inKeys: readonly Key[];
  /**
   * Called once per run, before the model runs, with the run's data; returns the gradient hook for that
   * run. Tensors read from `data` are lent for the run only.
   */
  readonly fromData: (data: TensorDict) => GradientHook;
}

/**
 * What `outputGradients` maps a module path to: a fixed gradient hook, or one chosen per run from the data.
 *
 * @example
 * const fixed: OutputGradient = conceptChannelGradient({ channel: 5 });
 * const chosen: OutputGradient = selectedChannelGradient(); // reads ['metrics', 'concept_selection']
 */
export type OutputGradient = GradientHook | OutputGradientFromData;

function isFromData(value: unknown): value is OutputGradientFromData {
  if (typeof value !== 'object' || value === null) return false;
  const { fromData, inKeys } = value as { fromData?: unknown; inKeys?: unknown };
  return typeof fromData === 'function' && Array.isArray(inKeys);
}

/** The keys the run-time output gradients read. */
function outputGradientKeys(options: GradientAttributionOptions): KeyPath[] {
  return Object.values(options.outputGradients ?? {}).flatMap((gradient) =>
    isFromData(gradient) ? gradient.inKeys.map((key) => toKeyPath(key)) : [],
  );
}

function outputGradientSpecs(
  options: GradientAttributionOptions,
): (HookSpec & { direction: 'backward-pre' })[] {
  return Object.keys(options.outputGradients ?? {}).map((path) => ({
    path,
    direction: 'backward-pre',
    operation: 'output-gradient',
  }));
}

/**
 * Checks the shared options and fills defaults; `where` names the method in errors.
 *
 * @example
 * const checked = checkGradientOptions({ target: { select: 'argmax' } }, 'attribution/saliency');
 */
export function checkGradientOptions<O extends GradientAttributionOptions>(options: O, where: string): O {
  if (typeof options !== 'object' || (options as unknown) === null) {
    throw new InvalidValueError({
      what: 'Options must be an object',
      where,
      fix: 'Pass {} for the defaults.',
    });
  }
  for (const [name, target] of listTargets(options, where)) {
    checkTarget(target, name === undefined ? `${where} target` : `${where} targets.${name}`);
  }
  options.inputs?.forEach((key, index) => toKeyPath(key, `${where} inputs[${index}]`));
  if (options.modules !== undefined && !Array.isArray(options.modules)) {
    throw new InvalidValueError({ what: 'modules must be an array of module paths', where });
  }
  if (options.attributionKey !== undefined) toKeyPath(options.attributionKey, `${where} attributionKey`);
  const { chunkSize } = options;
  const strategy: unknown = options.strategy;
  if (chunkSize !== undefined && (!Number.isSafeInteger(chunkSize) || chunkSize < 1)) {
    throw new InvalidValueError({
      what: `chunkSize must be a whole number ≥ 1, got ${String(chunkSize)}`,
      where,
      fix: 'Give the largest number of rows one model pass may take.',
    });
  }
  if (strategy !== undefined && strategy !== 'shared' && strategy !== 'loop') {
    throw new InvalidValueError({
      what: `strategy must be 'shared' or 'loop', got ${JSON.stringify(strategy)}`,
      where,
    });
  }
  const outputGradients: unknown = options.outputGradients;
  if (
    outputGradients !== undefined &&
    (typeof outputGradients !== 'object' ||
      outputGradients === null ||
      Object.values(outputGradients).some((hook) => typeof hook !== 'function' && !isFromData(hook)))
  ) {
    throw new InvalidValueError({
      what: 'outputGradients must map module paths to gradient functions (or { inKeys, fromData } objects)',
      where,
      fix: "Pass { 'conv2': (gradient) => tf.mul(gradient, mask) }, conceptChannelGradient({ channel }), or selectedChannelGradient().",
    });
  }
  for (const [path, gradient] of Object.entries(options.outputGradients ?? {})) {
    if (isFromData(gradient)) {
      gradient.inKeys.forEach((key, index) =>
        toKeyPath(key, `${where} outputGradients['${path}'].inKeys[${index}]`),
      );
    }
  }
  const noInputs = options.inputs !== undefined && options.inputs.length === 0;
  if (noInputs && (options.modules ?? []).length === 0) {
    throw new InvalidValueError({
      what: 'Nothing to attribute to: inputs is empty and no modules are given',
      where,
      fix: "Leave inputs out (every model input), or name modules: ['embedding'].",
    });
  }
  return options;
}

/**
 * A source of attribution: a model input (by position) or a module output.
 *
 * @example
 * const sources: AttributionSource[] = [{ kind: 'input', index: 0, key: ['input'] }, { kind: 'module', path: 'fc1' }];
 */
export type AttributionSource =
  | { readonly kind: 'input'; readonly index: number; readonly key: KeyPath }
  | { readonly kind: 'module'; readonly path: string };

/**
 * The sources the options select on a model with these keys, inputs first.
 *
 * @example
 * attributionSources({ modules: ['fc1'] }, { inKeys: [['input']], outKeys: [['output']] });
 */
export function attributionSources(
  options: GradientAttributionOptions,
  model: MethodModelInfo,
): AttributionSource[] {
  const inputs = (options.inputs ?? model.inKeys).map((key): AttributionSource => {
    const path = toKeyPath(key);
    const index = model.inKeys.findIndex((candidate) => formatKey(candidate) === formatKey(path));
    if (index < 0) {
      throw new MissingKeyError({
        what: `${formatKey(path)} is not an input of the model`,
        where: 'inputs',
        fix: `Model inputs: ${model.inKeys.map((candidate) => formatKey(candidate)).join(', ')}.`,
      });
    }
    return { kind: 'input', index, key: path };
  });
  const modules = [...new Set(options.modules ?? [])].map((path): AttributionSource => ({
    kind: 'module',
    path,
  }));
  return [...inputs, ...modules];
}

/**
 * Where attribution methods write their results unless `attributionKey` says otherwise: `['attr', …]`. The one
 * place this default is written; the methods, the metrics and the noise tunnel read it from here.
 *
 * @example
 * attributionKeyOf({}, undefined, { kind: 'input', index: 0, key: ['input'] }); // [defaultAttributionKey, 'input']
 */
export const defaultAttributionKey = 'attr';

/**
 * Where one attribution is written: `[attributionKey, target name?, input key | module path]`.
 *
 * @example
 * attributionKeyOf({}, 'actor', { kind: 'input', index: 0, key: ['observation'] }); // ['attr','actor','observation']
 */
export function attributionKeyOf(
  options: GradientAttributionOptions,
  targetName: string | undefined,
  source: AttributionSource,
): KeyPath {
  const base = toKeyPath(options.attributionKey ?? defaultAttributionKey);
  const named = targetName === undefined ? [] : [targetName];
  const tail = source.kind === 'input' ? source.key : [source.path];
  return [...base, ...named, ...tail] as unknown as KeyPath;
}

/** The module paths targets read, apart from the sources. */
function targetModules(options: GradientAttributionOptions): string[] {
  return listTargets(options, 'targets').flatMap(([, target]) =>
    target.module === undefined ? [] : [target.module],
  );
}

function labelKeys(options: GradientAttributionOptions): KeyPath[] {
  return listTargets(options, 'targets').flatMap(([, target]) =>
    typeof target.select === 'object' && !Array.isArray(target.select) && 'labels' in target.select
      ? [toKeyPath(target.select.labels)]
      : [],
  );
}

/**
 * The plan of a gradient method: module captures (sources, then target modules), the output-gradient hooks,
 * plus `extra.hooks`; reads the model inputs, labels, the keys of run-time output gradients and
 * `extra.inKeys`; writes the model outputs (which it publishes; a Workflow lets every method publish them)
 * and one attribution per target and source.
 *
 * @example
 * plan: (options, model) => planGradientMethod(options, model),
 */
export function planGradientMethod(
  options: GradientAttributionOptions,
  model: MethodModelInfo,
  extra: { readonly hooks?: readonly HookSpec[]; readonly inKeys?: readonly KeyPath[] } = {},
): MethodPlan {
  const sources = attributionSources(options, model);
  const modulePaths = [
    ...new Set([
      ...sources.flatMap((source) => (source.kind === 'module' ? [source.path] : [])),
      ...targetModules(options),
    ]),
  ];
  const names = listTargets(options, 'targets').map(([name]) => name);
  return {
    hooks: [...captureSpecs(modulePaths), ...outputGradientSpecs(options), ...(extra.hooks ?? [])],
    inKeys: [...model.inKeys, ...labelKeys(options), ...outputGradientKeys(options), ...(extra.inKeys ?? [])],
    outKeys: [
      ...model.outKeys,
      ...names.flatMap((name) => sources.map((source) => attributionKeyOf(options, name, source))),
    ],
  };
}

/**
 * A batch read from a TensorDict for the model: inputs with their batch dims flattened into rows.
 *
 * @example
 * const batch: ModelBatch = readModelBatch(binding.model, data, binding.sources, 'acme/my-method');
 * batch.rows; // 6 for a batch shape [2, 3]
 */
export interface ModelBatch {
  readonly batchShape: readonly number[];
  readonly rows: number;
  /** Every model input, `[rows, ...]`, in inKeys order; owned by the batch. */
  readonly inputs: tf.Tensor[];
}

// Small inputs (a rollout's observations) are read and checked here: three kernels and a tidy cost more
// than the whole read on wasm and cpu, and on a GPU backend reading one value syncs as much as reading a few
// thousand. Large inputs stay on the backend.
const checkedOnHost = 4096;

function hasNonFinite(value: tf.Tensor): boolean {
  if (value.size <= checkedOnHost) {
    const values = value.dataSync();
    for (let index = 0; index < values.length; index++) {
      if (!Number.isFinite(values[index])) return true;
    }
    return false;
  }
  return tf.tidy(() => tf.any(tf.logicalNot(tf.isFinite(value))).dataSync()[0]) === 1;
}

/**
 * Reads the model inputs from `data` and flattens the batch dims; checks that attributed inputs are float32
 * and finite. Dispose the inputs when done.
 *
 * @example
 * const batch = readModelBatch(context.model, data, sources, 'attribution/saliency');
 */
export function readModelBatch(
  model: KeyedModel,
  data: TensorDict,
  sources: readonly AttributionSource[],
  where: string,
): ModelBatch {
  const batchShape = data.batchShape;
  const rows = batchShape.reduce((total, size) => total * size, 1);
  for (const key of model.inKeys) {
    if (!data.has(key)) {
      throw new MissingKeyError({
        what: `The model reads ${formatKey(key)}, which is not in the TensorDict`,
        where,
        fix: `Add it, or map inKeys to existing keys: ${data
          .keys()
          .slice(0, 10)
          .map((k) => formatKey(k))
          .join(', ')}.`,
      });
    }
  }
  for (const source of sources) {
    if (source.kind !== 'input') continue;
    const value = data.getTensor(source.key);
    if (value.dtype !== 'float32') {
      throw new InvalidValueError({
        what: `Input ${formatKey(source.key)} is ${value.dtype}, and gradients exist only for float32 inputs`,
        where,
        fix: 'Attribute to the module that embeds it instead: inputs: [] (or the float inputs), modules: [path].',
      });
    }
    if (hasNonFinite(value)) {
      throw new InvalidValueError({
        what: `Input ${formatKey(source.key)} contains NaN or infinite values`,
        where,
        fix: 'Clean the input; attributions of non-finite inputs are meaningless.',
      });
    }
  }
  const inputs = model.inKeys.map((key) => {
    const value = data.getTensor(key);
    return tf.reshape(value, [rows, ...value.shape.slice(batchShape.length)]);
  });
  return { batchShape, rows, inputs };
}

/**
 * Binds targets and sources for one run: the module captures are installed at bind time, the targets
 * resolved per batch.
 *
 * @example
 * const binding = bindGradientMethod(options, context, 'attribution/saliency');
 */
export function bindGradientMethod(
  options: GradientAttributionOptions,
  context: BindContext,
  where: string,
): GradientBinding {
  const model = context.model;
  const info = { inKeys: model.inKeys, outKeys: model.outKeys };
  const sources = attributionSources(options, info);
  const modulePaths = sources.flatMap((source) => (source.kind === 'module' ? [source.path] : []));
  const captures = new ModuleCaptures(context, [...new Set([...modulePaths, ...targetModules(options)])]);
  const slots: RunTimeGradient[] = [];
  for (const spec of outputGradientSpecs(options)) {
    const gradient = (options.outputGradients ?? {})[spec.path] as OutputGradient;
    if (!isFromData(gradient)) {
      context.hook(spec, gradient);
      continue;
    }
    const slot = runTimeGradient(gradient, spec.path, where);
    context.hook(spec, slot.hook);
    slots.push(slot);
  }
  const targets = listTargets(options, where);
  const targetSources = targets.map(([name, target]) =>
    targetSource(target, model.outKeys, name === undefined ? `${where} target` : `${where} targets.${name}`),
  );
  return {
    model,
    sources,
    gradientSources: {
      inputs: sources.flatMap((source) => (source.kind === 'input' ? [source.index] : [])),
      captures,
      moduleSources: modulePaths.length,
    },
    targetNames: targets.map(([name]) => name),
    resolveTargets: (data, rows) => {
      for (const slot of slots) slot.load(data);
      const resolved: ResolvedTarget[] = [];
      try {
        targets.forEach(([name, target], index) => {
          const source = targetSources[index] as TargetSource;
          resolved.push(resolveTarget(name, target, source, data, rows, `${where} target`));
        });
        return resolved;
      } catch (error) {
        for (const target of resolved) target.dispose();
        throw error;
      }
    },
    endRun: () => {
      for (const slot of slots) slot.unload();
    },
  };
}

/**
 * What {@link bindGradientMethod} returns: the model, its sources and targets, ready for runs.
 *
 * @example
 * const binding: GradientBinding = bindGradientMethod(options, context, 'acme/my-method');
 * const targets = binding.resolveTargets(data, batch.rows); // dispose each after the run
 * binding.endRun(); // in the run's finally
 */
export interface GradientBinding {
  readonly model: KeyedModel;
  readonly sources: readonly AttributionSource[];
  readonly gradientSources: GradientSources;
  readonly targetNames: readonly (string | undefined)[];
  /**
   * Resolves the targets for one run's data (dispose each after the run). Every runner calls it once per
   * run, before the model runs: it also chooses that run's output gradients from the data
   * ({@link OutputGradientFromData}); {@link GradientBinding.endRun} puts them away again.
   */
  resolveTargets(data: TensorDict, rows: number): ResolvedTarget[];
  /**
   * Ends the run `resolveTargets` began: the run-time output gradients, which close over that run's data,
   * are unloaded, so the model called outside a run gets a typed error. Every runner calls it when its run
   * ends, also after an error (in `finally`).
   */
  endRun(): void;
}

interface RunTimeGradient {
  readonly hook: GradientHook;
  load(data: TensorDict): void;
  unload(): void;
}

/**
 * The hook installed for a run-time output gradient, and how each run loads and unloads it: the hook
 * delegates to the gradient `fromData` chose for the current run, and refuses to run outside a run.
 */
function runTimeGradient(gradient: OutputGradientFromData, path: string, where: string): RunTimeGradient {
  let current: GradientHook | undefined;
  return {
    hook: (value, context) => {
      if (current === undefined) {
        throw new ContextError({
          what: `The output gradient at '${path}' depends on the run's data, and is loaded only while the prepared method runs`,
          where: `${where} outputGradients['${path}']`,
          fix: 'Run the prepared method (prepared.run(data)) rather than calling the model directly.',
        });
      }
      return current(value, context);
    },
    load: (data) => {
      current = undefined;
      const chosen: unknown = gradient.fromData(data);
      if (typeof chosen !== 'function') {
        throw new InvalidValueError({
          what: `outputGradients['${path}'].fromData returned ${typeof chosen}, not a gradient function`,
          where,
          fix: 'Return (gradient, context) => tensor (or undefined to keep the gradient).',
        });
      }
      current = chosen as GradientHook;
    },
    unload: () => {
      current = undefined;
    },
  };
}

/**
 * Splits rows into chunks of at most `chunkSize`, runs `pass` on each and concatenates the results along
 * axis 0 (a single chunk is returned as is).
 *
 * @example
 * const pass = chunkedPass(batch.inputs, options.chunkSize, (inputs, rows) => gradientPass(model, inputs, ...));
 */
export function chunkedPass(
  inputs: readonly tf.Tensor[],
  chunkSize: number | undefined,
  pass: (
    inputs: readonly tf.Tensor[],
    rows: { readonly start: number; readonly size: number },
  ) => GradientPass,
): GradientPass {
  const rows = inputs[0]?.shape[0] ?? 0;
  if (chunkSize === undefined || chunkSize >= rows) return pass(inputs, { start: 0, size: rows });
  const parts: GradientPass[] = [];
  try {
    for (let start = 0; start < rows; start += chunkSize) {
      const size = Math.min(chunkSize, rows - start);
      const slices = inputs.map((input) => tf.slice(input, start, size));
      try {
        parts.push(pass(slices, { start, size }));
      } finally {
        tf.dispose(slices);
      }
    }
    const join = (pick: (part: GradientPass) => tf.Tensor[]): tf.Tensor[] =>
      (parts[0] === undefined ? [] : pick(parts[0])).map((_, index) =>
        tf.concat(
          parts.map((part) => pick(part)[index] as tf.Tensor),
          0,
        ),
      );
    return {
      outputs: join((part) => part.outputs),
      sources: join((part) => part.sources),
      gradients: (parts[0]?.gradients ?? []).map((_, target) => join((part) => part.gradients[target] ?? [])),
    };
  } finally {
    for (const part of parts) tf.dispose([...part.outputs, ...part.sources, ...part.gradients.flat()]);
  }
}
