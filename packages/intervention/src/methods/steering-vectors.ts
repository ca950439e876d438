import type * as tf from '@tensorflow/tfjs-core';
import type { MethodFactory, TargetJSON } from '@tdhook/core';
import { checkOptionNames, defineMethod } from '@tdhook/core/plugin';

import { checkCallback } from './method-options.js';
import { checkModules, entrySpec, resolveEntries, type ModuleSelection } from './module-entries.js';
import { checkReturnedTensor, outputTensor, replaceEntry, selectEntry } from './unit-values.js';

const id = 'intervention/steering-vectors';

/**
 * What a {@link SteerFunction} is called with: the module path and its activation (a Target's units only, for
 * a Target), lent for the call.
 *
 * @example
 * const zeros: SteerFunction = ({ output }: SteerArgs) => tf.zerosLike(output);
 */
export interface SteerArgs {
  readonly moduleKey: string;
  readonly output: tf.Tensor;
}

/**
 * Returns what replaces a module's activation (or a Target's units): a tensor of its shape and dtype, or one
 * that broadcasts to it. Called at every forward call of each steered module, in module order.
 *
 * @example
 * const steer: SteerFunction = addVector(vector, { coefficient: 4 }); // output + 4 · vector
 * const scale: SteerFunction = ({ output }) => tf.mul(output, 2);
 */
export type SteerFunction = (args: SteerArgs) => tf.Tensor;

/**
 * Options of {@link steeringVectors}.
 *
 * @example
 * const options: SteeringVectorsOptions = { modules: ['blocks.0.hook_resid_post'], steer: addVector(vector) };
 */
export interface SteeringVectorsOptions {
  /** The modules to steer: paths (the whole output) and activation Targets (only their units). */
  readonly modules: ModuleSelection;
  readonly steer: SteerFunction;
}

/**
 * The options of {@link steeringVectors} once checked: `modules` lists bare paths as strings and Targets in
 * their normalised form.
 *
 * @example
 * steeringVectors({ modules: ['fc1'], steer }).options; // { modules: ['fc1'], steer }
 */
export interface ConfiguredSteeringVectors {
  readonly modules: readonly (string | TargetJSON)[];
  readonly steer: SteerFunction;
}

const renamed: Readonly<Record<string, string>> = {
  modules_to_steer: 'Use modules.',
  targets: 'Use modules: it takes module paths and Targets.',
  steer_fn: 'Use steer.',
  steerFn: 'Use steer.',
};

function configure(options: SteeringVectorsOptions): ConfiguredSteeringVectors {
  checkOptionNames(options, ['modules', 'steer'], renamed, id);
  const entries = checkModules(options.modules, `${id} modules`);
  checkCallback(options.steer, 'steer', id, {
    optional: false,
    example: 'steer: addVector(vector, { coefficient: 4 }), or ({ output }) => tf.zerosLike(output)',
  });
  return {
    modules: Object.freeze(entries.map((entry) => (entry.targeted ? entry.units : entry.path))),
    steer: options.steer,
  };
}

/**
 * Steering vectors (the original's `SteeringVectors`): a forward replace hook at each module whose output (or
 * whose Target's units) becomes `steer({ moduleKey, output })`. The hooks stay while the model is prepared, so
 * they act on every call: `run(data)`, and also direct model calls such as `@tdhook/adapter-nlp`'s `generate`
 * (see docs/steering.md). Program: one forward replace per module. Model keys unchanged, one pass.
 *
 * @example
 * using prepared = steeringVectors({
 *   modules: ['blocks.0.hook_resid_post'],
 *   steer: addVector(vector, { coefficient: 4 }),
 * }).prepare(model);
 * using result = prepared.run(data); // steered logits under the model's outKeys
 */
export const steeringVectors: MethodFactory<SteeringVectorsOptions, ConfiguredSteeringVectors> =
  /* @__PURE__ */ defineMethod<SteeringVectorsOptions, ConfiguredSteeringVectors>({
    contract: 'tdhook.method/1',
    id,
    summary: 'Replaces module activations with a function of them (steering)',
    configure,
    requirements: () => ({ modelPasses: 1, gradients: 'optional' }),
    plan: (options, model) => {
      const entries = checkModules(options.modules, `${id} modules`);
      if (model.node !== undefined) resolveEntries(entries, model.node);
      return {
        hooks: entries.map((entry) => entrySpec(entry, 'replace')),
        inKeys: model.inKeys,
        outKeys: [],
      };
    },
    bind: (options, context) => {
      const { steer } = options;
      for (const entry of checkModules(options.modules, `${id} modules`)) {
        context.hook(entrySpec(entry, 'replace'), (output) => {
          const current = entry.targeted ? selectEntry(output, entry, id) : outputTensor(output, entry, id);
          const value = checkReturnedTensor(
            steer({ moduleKey: entry.path, output: current }),
            'steer',
            entry,
            id,
          );
          return replaceEntry(output, entry, value, id);
        });
      }
      return { run: (data) => context.model.run(data) };
    },
  });
