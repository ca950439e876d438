import * as tf from '@tensorflow/tfjs-core';
import type { TensorDict } from '@tdhook/core';
import {
  formatKey,
  InvalidValueError,
  MissingKeyError,
  type Key,
  type KeyPath,
  type MethodFactory,
  type TargetJSON,
} from '@tdhook/core';
import { type BindContext, checkOptionNames, defineMethod, type MethodRunner } from '@tdhook/core/plugin';

import { checkCallback, keyOption } from './method-options.js';
import {
  checkModules,
  entrySpec,
  resolveEntries,
  type ModuleEntry,
  type ModuleSelection,
} from './module-entries.js';
import { checkOwnKey, checkSameInputs, inputsUnder } from './run-inputs.js';
import {
  checkReturnedTensor,
  checkSameShape,
  keptValue,
  outputTensor,
  replaceEntry,
  selectEntry,
} from './unit-values.js';

const id = 'intervention/activation-patching';

/**
 * What {@link ActivationPatchingOptions.patchFn} is called with, once per module in the patched run: the
 * module path, the patched run's activation and the clean one (a Target's units only, for a Target). Both are
 * lent for the call.
 *
 * @example
 * const copyUnit0: PatchFunction = ({ output, outputToPatch }: PatchArgs) =>
 *   replaceUnits(output, { featureAxis: -1, indices: [0] }, selectUnits(outputToPatch, { featureAxis: -1, indices: [0] }));
 */
export interface PatchArgs {
  readonly moduleKey: string;
  /** The patched run's activation, which the patch replaces. */
  readonly output: tf.Tensor;
  /** The clean run's activation. */
  readonly outputToPatch: tf.Tensor;
}

/**
 * Decides what goes into the patched run: a tensor (broadcastable to the activation, or the Target's units),
 * or `undefined` for the clean activation. Called in module order.
 *
 * @example
 * const half: PatchFunction = ({ output, outputToPatch }) => tf.div(tf.add(output, outputToPatch), 2);
 */
export type PatchFunction = (args: PatchArgs) => tf.Tensor | undefined;

/**
 * Options of {@link activationPatching}.
 *
 * @example
 * const options: ActivationPatchingOptions = { modules: ['blocks.0.hook_resid_pre'], patchKey: 'corrupted' };
 */
export interface ActivationPatchingOptions {
  /** The modules whose clean activations are patched in: paths (the whole output) and activation Targets (their units). */
  readonly modules: ModuleSelection;
  /** Where the inputs of the run that receives the patch are (`data[patchKey][inKey]`), and its outputs go. Default `'patched'`. */
  readonly patchKey?: Key;
  /** What to patch in, from the patched and the clean activation; default (or `undefined` returned): the clean one. */
  readonly patchFn?: PatchFunction;
}

/**
 * The options of {@link activationPatching} once checked, every default filled in: `modules` lists bare paths as
 * strings and Targets in their normalised form.
 *
 * @example
 * activationPatching({ modules: ['fc1'] }).options; // { modules: ['fc1'], patchKey: ['patched'] }
 */
export interface ConfiguredActivationPatching {
  readonly modules: readonly (string | TargetJSON)[];
  readonly patchKey: KeyPath;
  readonly patchFn?: PatchFunction;
}

const renamed: Readonly<Record<string, string>> = {
  modules_to_patch: 'Use modules.',
  targets: 'Use modules: it takes module paths and Targets.',
  patch_key: 'Use patchKey.',
  patch_fn: 'Use patchFn.',
  clean_intermediate_keys: 'Intermediate keys are never published here: remove it.',
  cache_callback: 'Use patchFn, which sees the clean activation (outputToPatch) of each module.',
  sites:
    'activationPatching patches all its modules in one run; to patch each site of a grid in a run of its own and measure a metric, use activationPatchingGrid({ sites, metric }).',
  metric:
    'activationPatching returns the patched outputs; for a metric per site, use activationPatchingGrid({ sites, metric }).',
};

function configure(options: ActivationPatchingOptions): ConfiguredActivationPatching {
  checkOptionNames(options, ['modules', 'patchKey', 'patchFn'], renamed, id);
  const entries = checkModules(options.modules, `${id} modules`);
  checkCallback(options.patchFn, 'patchFn', id, {
    optional: true,
    example: 'patchFn: ({ output, outputToPatch }) => outputToPatch',
  });
  return {
    modules: Object.freeze(entries.map((entry) => (entry.targeted ? entry.units : entry.path))),
    patchKey: keyOption(options.patchKey, 'patched', 'patchKey', id),
    ...(options.patchFn === undefined ? {} : { patchFn: options.patchFn }),
  };
}

function missingInputs(data: TensorDict, inKeys: readonly KeyPath[]): void {
  for (const inKey of inKeys) {
    if (!data.has(inKey)) {
      throw new MissingKeyError({
        what: `The clean run reads the model input ${formatKey(inKey)}, which is not in the data`,
        where: id,
        fix: 'Put the clean inputs under the model’s inKeys and the patched run’s under patchKey.',
      });
    }
  }
}

function bindPatching(options: ConfiguredActivationPatching, context: BindContext): MethodRunner {
  const { patchKey, patchFn } = options;
  const entries = checkModules(options.modules, `${id} modules`);
  // The pass that is running: captures act in the clean one, replacements in the patched one, neither outside run.
  let phase: 'idle' | 'clean' | 'patched' = 'idle';
  const clean = new Map<string, tf.Tensor>();
  const release = (): void => {
    phase = 'idle';
    for (const value of clean.values()) value.dispose();
    clean.clear();
  };
  context.onRestore(release);

  const current = (output: unknown, entry: ModuleEntry): tf.Tensor =>
    entry.targeted ? selectEntry(output, entry, id) : outputTensor(output, entry, id);

  for (const entry of entries) {
    context.hook(entrySpec(entry, 'capture'), (output) => {
      if (phase !== 'clean') return undefined;
      const value = keptValue(output, entry, id);
      clean.get(entry.path)?.dispose();
      clean.set(entry.path, value);
      return undefined;
    });
    // Prepended: the patched value is what every other hook on the module (and the rest of the model) sees.
    context.hook(entrySpec(entry, 'replace', true), (output) => {
      if (phase !== 'patched') return undefined;
      const source = clean.get(entry.path);
      if (source === undefined) return undefined; // checked after the clean pass; unreachable
      const patchedValue = current(output, entry);
      checkSameShape(source, patchedValue, entry, id);
      const chosen =
        patchFn === undefined
          ? undefined
          : patchFn({ moduleKey: entry.path, output: patchedValue, outputToPatch: source });
      const value = chosen === undefined ? source : checkReturnedTensor(chosen, 'patchFn', entry, id);
      return replaceEntry(output, entry, value, id);
    });
  }

  const run = (data: TensorDict): TensorDict => {
    const { model } = context;
    // Every input check before the first model call.
    missingInputs(data, model.inKeys);
    using patchedInputs = inputsUnder(data, patchKey, model.inKeys, id);
    checkSameInputs(data, patchedInputs, model.inKeys, ['clean', 'patched'], id);
    let result: TensorDict | undefined;
    try {
      phase = 'clean';
      result = model.run(data);
      const silent = entries.filter((entry) => !clean.has(entry.path));
      if (silent.length > 0) {
        throw new InvalidValueError({
          what: `Module${silent.length > 1 ? 's' : ''} ${silent.map((entry) => `'${entry.path}'`).join(', ')} did not run in the clean pass`,
          where: id,
          fix: 'Patch modules the model calls.',
        });
      }
      phase = 'patched';
      const patched = model.run(patchedInputs);
      try {
        for (const outKey of model.outKeys) {
          const value = patched.getTensor(outKey);
          // A new handle on the same data: the patched run's dict is disposed below.
          result.set([...patchKey, ...outKey] as unknown as KeyPath, tf.reshape(value, value.shape));
        }
      } finally {
        patched.dispose();
      }
      return result;
    } catch (error) {
      result?.dispose();
      throw error;
    } finally {
      release();
    }
  };
  return { run };
}

/**
 * Activation patching (the original's `ActivationPatching`): a clean run on the data's inputs caches each
 * module's output (a Target's units only); a second run on the inputs under `data[patchKey]` gets the clean
 * activation (or what `patchFn` makes of both) patched in by a prepended replace hook. Returns the clean run's
 * outputs under the model's outKeys and the patched run's under `[patchKey, ...outKey]`. Two model passes;
 * the program is, per module, a forward capture and a prepended forward replace.
 *
 * Typed errors, all before any model call: an entry that is neither a path nor a Target, a gradient or
 * parameter Target (`InvalidValueError`), an unknown path (`UnknownPathError`, at prepare), missing inputs under
 * `patchKey` (`MissingKeyError`), clean and patched inputs of different shapes (`ShapeMismatchError`).
 *
 * @example
 * using data = new TensorDict({ input: clean, patched: { input: corrupted } }, { batchShape: [1] });
 * using prepared = activationPatching({ modules: [{ path: 'blocks.0.attn.hook_z', featureAxis: 2, indices: [3] }] }).prepare(model);
 * using result = prepared.run(data);
 * result.getTensor(['patched', 'output']); // the corrupted run's logits with head 0.3's clean output patched in
 */
export const activationPatching: MethodFactory<ActivationPatchingOptions, ConfiguredActivationPatching> =
  /* @__PURE__ */ defineMethod<ActivationPatchingOptions, ConfiguredActivationPatching>({
    contract: 'tdhook.method/1',
    id,
    summary: 'Patches clean activations into a second (patched) run',
    configure,
    requirements: () => ({ modelPasses: 2, gradients: 'optional' }),
    plan: (options, model) => {
      const { patchKey } = options;
      checkOwnKey(patchKey, 'patchKey', model, id);
      const entries = checkModules(options.modules, `${id} modules`);
      if (model.node !== undefined) resolveEntries(entries, model.node);
      const under = (key: KeyPath): KeyPath => [...patchKey, ...key] as unknown as KeyPath;
      return {
        hooks: entries.flatMap((entry) => [entrySpec(entry, 'capture'), entrySpec(entry, 'replace', true)]),
        inKeys: [...model.inKeys, ...model.inKeys.map(under)],
        outKeys: model.outKeys.map(under),
      };
    },
    bind: bindPatching,
  });
