import * as tf from '@tensorflow/tfjs-core';
import {
  formatKey,
  InvalidValueError,
  ShapeMismatchError,
  TensorDict,
  type Key,
  type KeyPath,
  type MethodFactory,
  type TargetJSON,
} from '@tdhook/core';
import {
  type BindContext,
  checkOptionNames,
  defineMethod,
  keysEqual,
  type MethodRunner,
} from '@tdhook/core/plugin';

import { keyOption } from './method-options.js';
import { checkModules, entrySpec, resolveEntries, type ModuleSelection } from './module-entries.js';
import { checkOwnKey, checkSameInputs, inputsUnder } from './run-inputs.js';
import { checkSameShape, keptValue } from './unit-values.js';

const id = 'intervention/activation-addition';

/**
 * Options of {@link activationAddition}.
 *
 * @example
 * const options: ActivationAdditionOptions = { modules: ['blocks.0.hook_resid_post'], steerKey: 'steer' };
 */
export interface ActivationAdditionOptions {
  /** Where the vectors are read: paths (the whole output) and activation Targets (only their units). */
  readonly modules: ModuleSelection;
  /** The sub-dict with the positive run's inputs (`data[positiveKey][inKey]`). Default `'positive'`. */
  readonly positiveKey?: Key;
  /** The sub-dict with the negative run's inputs. Default `'negative'`. */
  readonly negativeKey?: Key;
  /** The result holds `[steerKey, modulePath]` per module. Default `'steer'`. */
  readonly steerKey?: Key;
}

/**
 * The options of {@link activationAddition} once checked, every default filled in.
 *
 * @example
 * activationAddition({ modules: ['fc1'] }).options; // { modules: ['fc1'], positiveKey: ['positive'], negativeKey: ['negative'], steerKey: ['steer'] }
 */
export interface ConfiguredActivationAddition {
  readonly modules: readonly (string | TargetJSON)[];
  readonly positiveKey: KeyPath;
  readonly negativeKey: KeyPath;
  readonly steerKey: KeyPath;
}

const renamed: Readonly<Record<string, string>> = {
  modules_to_steer: 'Use modules.',
  targets: 'Use modules: it takes module paths and Targets.',
  positive_key: 'Use positiveKey.',
  negative_key: 'Use negativeKey.',
  steer_key: 'Use steerKey.',
  clean_intermediate_keys: 'Intermediate keys are never published here: remove it.',
  cache_callback: 'Select units with a Target in modules instead.',
};

function configure(options: ActivationAdditionOptions): ConfiguredActivationAddition {
  checkOptionNames(options, ['modules', 'positiveKey', 'negativeKey', 'steerKey'], renamed, id);
  const entries = checkModules(options.modules, `${id} modules`);
  const positiveKey = keyOption(options.positiveKey, 'positive', 'positiveKey', id);
  const negativeKey = keyOption(options.negativeKey, 'negative', 'negativeKey', id);
  if (keysEqual(positiveKey, negativeKey)) {
    throw new InvalidValueError({
      what: `positiveKey and negativeKey are both ${formatKey(positiveKey)}: the vector would be zero`,
      where: id,
      fix: "Put the two runs' inputs under different keys (defaults 'positive' and 'negative').",
    });
  }
  return {
    modules: Object.freeze(entries.map((entry) => (entry.targeted ? entry.units : entry.path))),
    positiveKey,
    negativeKey,
    steerKey: keyOption(options.steerKey, 'steer', 'steerKey', id),
  };
}

function bindAddition(options: ConfiguredActivationAddition, context: BindContext): MethodRunner {
  const { positiveKey, negativeKey, steerKey } = options;
  const entries = checkModules(options.modules, `${id} modules`);
  // The activations of the run in progress (null: no run of this method, captures ignored).
  let store: Map<string, tf.Tensor> | null = null;
  const runs: Map<string, tf.Tensor>[] = [];
  const release = (): void => {
    store = null;
    for (const values of runs.splice(0)) for (const value of values.values()) value.dispose();
  };
  context.onRestore(release);
  for (const entry of entries) {
    context.hook(entrySpec(entry, 'capture'), (output) => {
      if (store === null) return undefined;
      const value = keptValue(output, entry, id);
      store.get(entry.path)?.dispose();
      store.set(entry.path, value);
      return undefined;
    });
  }

  const capture = (inputs: TensorDict, name: string): Map<string, tf.Tensor> => {
    const values = new Map<string, tf.Tensor>();
    runs.push(values);
    store = values;
    context.model.run(inputs).dispose();
    store = null;
    const silent = entries.filter((entry) => !values.has(entry.path));
    if (silent.length > 0) {
      throw new InvalidValueError({
        what: `Module${silent.length > 1 ? 's' : ''} ${silent.map((entry) => `'${entry.path}'`).join(', ')} did not run in the ${name} pass`,
        where: id,
        fix: 'Read vectors at modules the model calls.',
      });
    }
    return values;
  };

  const run = (data: TensorDict): TensorDict => {
    const { model } = context;
    // Every input check before the first model call.
    using positive = inputsUnder(data, positiveKey, model.inKeys, id);
    using negative = inputsUnder(data, negativeKey, model.inKeys, id);
    checkSameInputs(positive, negative, model.inKeys, ['positive', 'negative'], id);
    const rows = positive.batchShape.reduce((product, size) => product * size, 1);
    try {
      const positives = capture(positive, 'positive');
      const negatives = capture(negative, 'negative');
      const result = new TensorDict({}, { batchShape: [] });
      try {
        for (const entry of entries) {
          const plus = positives.get(entry.path) as tf.Tensor;
          const minus = negatives.get(entry.path) as tf.Tensor;
          checkSameShape(plus, minus, entry, id);
          if (plus.shape[0] !== rows) {
            throw new ShapeMismatchError({
              what: `The activation of '${entry.path}' has shape [${plus.shape.join(',')}], whose first axis is not the ${rows} batch rows`,
              where: id,
              fix: 'Read vectors at modules whose output is batch-major (the batch first).',
            });
          }
          // Mean over every batch dim: the model saw them flattened into the first axis.
          result.set(
            [...steerKey, entry.path] as unknown as KeyPath,
            tf.tidy(() => tf.mean(tf.sub(plus, minus), 0)),
          );
        }
        return result;
      } catch (error) {
        result.dispose();
        throw error;
      }
    } finally {
      release();
    }
  };
  return { run };
}

/**
 * Activation addition (the original's `ActivationAddition`): runs the model on the inputs under
 * `data[positiveKey]` and under `data[negativeKey]`, and returns a new, unbatched TensorDict holding only
 * `[steerKey, path]` per module: the mean over every batch dim of act(positive) − act(negative), of the
 * activation's feature shape (`[positions, dModel]` at a transformer's residual stream; a Target's units
 * only for a Target, keyed by its path). Two model passes; the program is one forward capture per module.
 * Feed the vector to {@link steeringVectors} with {@link addVector}.
 *
 * @example
 * using data = new TensorDict({ positive: { input: love }, negative: { input: hate } }, { batchShape: [2] });
 * using prepared = activationAddition({ modules: ['blocks.0.hook_resid_post'] }).prepare(model);
 * using vectors = prepared.run(data);
 * vectors.getTensor(['steer', 'blocks.0.hook_resid_post']); // [positions, dModel]
 */
export const activationAddition: MethodFactory<ActivationAdditionOptions, ConfiguredActivationAddition> =
  /* @__PURE__ */ defineMethod<ActivationAdditionOptions, ConfiguredActivationAddition>({
    contract: 'tdhook.method/1',
    id,
    summary: 'Steering vectors from the mean activation difference of positive and negative inputs',
    configure,
    requirements: () => ({ modelPasses: 2, gradients: 'optional' }),
    plan: (options, model) => {
      const { positiveKey, negativeKey, steerKey } = options;
      for (const [key, option] of [
        [positiveKey, 'positiveKey'],
        [negativeKey, 'negativeKey'],
      ] as const) {
        checkOwnKey(key, option, model, id);
      }
      const entries = checkModules(options.modules, `${id} modules`);
      if (model.node !== undefined) resolveEntries(entries, model.node);
      const under =
        (prefix: KeyPath) =>
        (key: KeyPath): KeyPath =>
          [...prefix, ...key] as unknown as KeyPath;
      return {
        hooks: entries.map((entry) => entrySpec(entry, 'capture')),
        inKeys: [...model.inKeys.map(under(positiveKey)), ...model.inKeys.map(under(negativeKey))],
        outKeys: entries.map((entry) => [...steerKey, entry.path] as unknown as KeyPath),
      };
    },
    bind: bindAddition,
  });
