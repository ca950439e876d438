import * as tf from '@tensorflow/tfjs-core';

import type { KeyedModel } from '@tdhook/core';
import { RecordedPass } from '@tdhook/tfjs-internals';

import type { ResolvedTarget } from '../targets.js';
import type { ModuleCaptures } from './module-captures.js';

/**
 * How k targets are differentiated: `'shared'` runs the model once and backpropagates k times (the
 * default: measured fastest on TF.js), `'loop'` runs a forward and a backward pass per target (what a captum
 * loop over targets does; the baseline in benchmarks).
 *
 * @example
 * const strategy: TargetStrategy = 'shared';
 */
export type TargetStrategy = 'shared' | 'loop';

/**
 * What to differentiate with respect to: some model inputs (by position) and the captured modules.
 *
 * @example
 * const sources: GradientSources = { inputs: [0], captures: new ModuleCaptures(context, ['fc1']), moduleSources: 1 };
 */
export interface GradientSources {
  /** Positions in the model's inputs of the inputs attributed to. */
  readonly inputs: readonly number[];
  /** Captures of every module a source or a target reads (sources first). */
  readonly captures: ModuleCaptures;
  /** How many of `captures.paths` (from the start) are sources. */
  readonly moduleSources: number;
}

/**
 * One model pass with its gradients; every tensor is new and owned by the caller.
 *
 * @example
 * const pass: GradientPass = gradientPass(model, inputs, sources, targets);
 * const saliencyOfFirstTarget = pass.gradients[0]?.[0];
 */
export interface GradientPass {
  /** The model's outputs, in outKeys order. */
  readonly outputs: tf.Tensor[];
  /** The value of each source: the selected inputs, then the module outputs. */
  readonly sources: tf.Tensor[];
  /** `gradients[t][s]`: the gradient of target t (summed over rows) w.r.t. source s. */
  readonly gradients: tf.Tensor[][];
}

/**
 * Options of {@link gradientPass}.
 *
 * @example
 * const options: GradientPassOptions = { strategy: 'loop', sampleOfRow: tf.tensor1d([0, 1, 0, 1], 'int32') };
 */
export interface GradientPassOptions {
  readonly strategy?: TargetStrategy;
  /** Maps each row to its sample for per-sample targets (see `ResolvedTarget.pick`). */
  readonly sampleOfRow?: tf.Tensor;
}

// A type alias, not an interface, so that it is a tf.TensorContainer.
type ForwardValues = {
  readonly outputs: tf.Tensor[];
  /** Readable module outputs (owned). */
  readonly modules: tf.Tensor[];
  /** The module outputs in the model's graph, to differentiate against (possibly disposed). */
  readonly nodes: tf.Tensor[];
  readonly ys: tf.Tensor[];
};

function forward(
  model: KeyedModel,
  inputs: readonly tf.Tensor[],
  sources: GradientSources,
  targets: readonly ResolvedTarget[],
  sampleOfRow: tf.Tensor | undefined,
): ForwardValues {
  const {
    result: outputs,
    values: modules,
    nodes,
  } = sources.captures.collect(() => model.callTensors(inputs));
  const paths = sources.captures.paths;
  try {
    const ys = targets.map((target) => {
      const value =
        target.source.kind === 'output'
          ? outputs[target.source.index]
          : modules[paths.indexOf(target.source.path)];
      if (value === undefined) throw new Error(`target source missing: ${JSON.stringify(target.source)}`);
      return tf.sum(target.pick(value, sampleOfRow));
    });
    return { outputs, modules, nodes, ys };
  } catch (error) {
    tf.dispose(modules); // kept by the captures, so no tidy frees them
    throw error;
  }
}

/**
 * Runs the model on `inputs` (rows on axis 0) and differentiates every target with respect to every
 * source. Hooks installed on the model apply, including backward ones and LRP rules.
 *
 * @example
 * const binding = bindGradientMethod(options, context, 'acme/my-method');
 * const pass = gradientPass(binding.model, batch.inputs, binding.gradientSources, targets);
 * // pass.outputs, pass.sources and pass.gradients[target][source] are yours to dispose
 */
export function gradientPass(
  model: KeyedModel,
  inputs: readonly tf.Tensor[],
  sources: GradientSources,
  targets: readonly ResolvedTarget[],
  options: GradientPassOptions = {},
): GradientPass {
  const { strategy = 'shared', sampleOfRow } = options;
  const run = (selected: readonly ResolvedTarget[]): { values: ForwardValues; gradients: tf.Tensor[][] } => {
    // The graph tensors stay out of the tidy's result: only their ids are needed, and a plain Module's
    // intermediates must be freed like any other.
    let nodes: tf.Tensor[] = [];
    const pass = RecordedPass.record(() => {
      const values = forward(model, inputs, sources, selected, sampleOfRow);
      nodes = values.nodes;
      return { ...values, nodes: [] };
    });
    try {
      const { ys } = pass.value;
      const xs = [
        ...sources.inputs.map((index) => inputs[index] as tf.Tensor),
        ...nodes.slice(0, sources.moduleSources),
      ];
      const gradients: tf.Tensor[][] = [];
      try {
        for (const y of ys) gradients.push(pass.gradients(y, xs));
      } catch (error) {
        tf.dispose([...pass.value.outputs, ...pass.value.modules, ...gradients.flat()]);
        throw error;
      }
      return { values: pass.value, gradients };
    } finally {
      pass.dispose();
      tf.dispose(pass.value.ys);
    }
  };
  const finish = (values: ForwardValues, gradients: tf.Tensor[][]): GradientPass => {
    const sourceValues = [
      ...sources.inputs.map((index) => tf.clone(inputs[index] as tf.Tensor)),
      ...values.modules.slice(0, sources.moduleSources),
    ];
    tf.dispose(values.modules.slice(sources.moduleSources));
    return { outputs: values.outputs, sources: sourceValues, gradients };
  };
  if (strategy === 'shared' || targets.length <= 1) {
    const { values, gradients } = run(targets);
    return finish(values, gradients);
  }
  const gradients: tf.Tensor[][] = [];
  let last: ForwardValues | undefined;
  try {
    for (const target of targets) {
      if (last !== undefined) tf.dispose([...last.outputs, ...last.modules]);
      last = undefined;
      const step = run([target]);
      last = step.values;
      gradients.push(step.gradients[0] ?? []);
    }
  } catch (error) {
    tf.dispose(gradients.flat());
    throw error;
  }
  return finish(last as ForwardValues, gradients);
}
