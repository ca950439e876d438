import * as tf from '@tensorflow/tfjs-core';

import type { KeyPath, TensorDict } from '@tdhook/core';
import type { MethodRunner } from '@tdhook/core/plugin';

import { readModelBatch, type GradientBinding, type ModelBatch } from '../gradient-method.js';
import { publishAttributions } from '../gradient-runner.js';
import type { ResolvedTarget } from '../targets.js';
import { baselineFor, readBaseline } from './baselines.js';
import type { ConfiguredIntegratedGradientsOptions } from './integrated-gradients.js';
import { integratePath } from './path-integral.js';
import { quadrature } from './quadrature.js';

/** The forward pass at `x` (and at `b` for the convergence delta): no gradients. */
interface EndPoints {
  /** The model outputs at `x`, `[rows, ...]`, in outKeys order. */
  readonly outputs: tf.Tensor[];
  /** The targets with `'argmax'` fixed to the classes predicted at `x`. */
  readonly targets: ResolvedTarget[];
  /** Per target, `f_T(x) − f_T(b)` per row (only with the convergence delta). */
  readonly differences: tf.Tensor[];
}

const sumRows = (value: tf.Tensor): tf.Tensor =>
  value.rank <= 1 ? value : tf.sum(tf.reshape(value, [value.shape[0], -1]), 1);

function endPoints(
  binding: GradientBinding,
  batch: ModelBatch,
  baselines: ReadonlyMap<number, tf.Tensor>,
  targets: readonly ResolvedTarget[],
  withBaseline: boolean,
): EndPoints {
  const rows = batch.rows;
  const { captures } = binding.gradientSources;
  const forward = tf.tidy(() => {
    const inputs = withBaseline
      ? batch.inputs.map((x, index) => tf.concat([x, baselines.get(index) ?? x], 0))
      : batch.inputs;
    const { result: outputs, values: modules } = captures.collect(() => binding.model.callTensors(inputs));
    try {
      // Clones: the module values are kept by the captures, and the caller owns each entry separately.
      const values = targets.map((target) => {
        const { source } = target;
        const value =
          source.kind === 'output' ? outputs[source.index] : modules[captures.paths.indexOf(source.path)];
        if (value === undefined) throw new Error(`target source missing: ${JSON.stringify(source)}`);
        return tf.clone(value);
      });
      return {
        outputs: withBaseline ? outputs.map((output) => tf.slice(output, 0, rows)) : outputs,
        values,
      };
    } finally {
      tf.dispose(modules);
    }
  });
  const pinned: ResolvedTarget[] = [];
  try {
    const differences = tf.tidy(() => {
      forward.values.forEach((value, index) => {
        const atX = withBaseline ? tf.slice(value, 0, rows) : value;
        pinned.push((targets[index] as ResolvedTarget).pin(atX));
      });
      if (!withBaseline) return [];
      const sampleOfRow = tf.tile(tf.range(0, rows, 1, 'int32'), [2]);
      return forward.values.map((value, index) => {
        const picked = (pinned[index] as ResolvedTarget).pick(value, sampleOfRow);
        return tf.sub(tf.slice(picked, 0, rows), tf.slice(picked, rows, rows));
      });
    });
    tf.dispose(forward.values);
    return { outputs: forward.outputs, targets: pinned, differences };
  } catch (error) {
    disposeTargets(pinned.filter((target) => !targets.includes(target)));
    tf.dispose([...forward.outputs, ...forward.values]);
    throw error;
  }
}

/**
 * Where the convergence delta of each target goes: `['convergence_delta']`, or
 * `['convergence_delta', name]` for named targets.
 *
 * @example
 * convergenceDeltaKey('class3'); // ['convergence_delta', 'class3']
 */
export function convergenceDeltaKey(targetName: string | undefined): KeyPath {
  return targetName === undefined ? ['convergence_delta'] : ['convergence_delta', targetName];
}

function disposeTargets(targets: readonly ResolvedTarget[]): void {
  for (const target of new Set(targets)) target.dispose();
}

/**
 * The runner of integrated gradients: read the batch and baselines, one forward pass at `x` (and `b`) to
 * pin argmax targets and measure `f(x) − f(b)`, the path passes, then `(x − b) ⊙` the integrated gradient.
 *
 * @example
 * bind: (options, context) => integratedGradientsRunner(options, binding, interpolated, id),
 */
export function integratedGradientsRunner(
  options: ConfiguredIntegratedGradientsOptions,
  binding: GradientBinding,
  interpolated: readonly { readonly index: number; readonly key: KeyPath }[],
  where: string,
): MethodRunner {
  // Configured options: steps, method and multiplyByInputs are filled in by configure.
  const rule = quadrature(options.method, options.steps);
  const multiply = options.multiplyByInputs;
  const withDelta = options.convergenceDelta === true;
  return {
    run: (data: TensorDict): TensorDict => {
      const batch = readModelBatch(binding.model, data, binding.sources, where);
      const baselines = new Map<number, tf.Tensor>();
      let resolved: ResolvedTarget[] = [];
      let ends: EndPoints | undefined;
      try {
        for (const { index, key } of interpolated) {
          const x = batch.inputs[index] as tf.Tensor;
          baselines.set(index, readBaseline(baselineFor(options.baselines, key), key, data, x, where));
        }
        resolved = binding.resolveTargets(data, batch.rows);
        ends = endPoints(binding, batch, baselines, resolved, withDelta);
        const sums = integratePath(binding, batch.inputs, baselines, ends.targets, {
          quadrature: rule,
          chunkSize: options.chunkSize,
          strategy: options.strategy,
          onProgress: options.onProgress,
        });
        const attributions = tf.tidy(() =>
          sums.map((perSource) =>
            perSource.map((sum, index) => {
              const source = binding.sources[index];
              if (!multiply || source?.kind !== 'input') return tf.clone(sum);
              const x = batch.inputs[source.index] as tf.Tensor;
              const b = baselines.get(source.index);
              return b === undefined ? tf.zerosLike(sum) : tf.mul(sum, tf.sub(x, b));
            }),
          ),
        );
        tf.dispose(sums.flat());
        const deltas = withDelta ? convergenceDeltas(binding, attributions, ends.differences, batch) : [];
        const outputs = ends.outputs;
        ends = { ...ends, outputs: [] };
        const result = publishAttributions(data, binding, options, batch, outputs, attributions);
        binding.targetNames.forEach((name, target) => {
          const delta = deltas[target];
          if (delta !== undefined) result.set(convergenceDeltaKey(name), delta);
        });
        return result;
      } finally {
        tf.dispose([...batch.inputs, ...baselines.values()]);
        if (ends !== undefined) tf.dispose([...ends.outputs, ...ends.differences]);
        disposeTargets([...resolved, ...(ends?.targets ?? [])]);
        binding.endRun();
      }
    },
  };
}

/** `Σ attr − (f(x) − f(b))` per sample, summed over the attributed inputs; shaped like the batch. */
function convergenceDeltas(
  binding: GradientBinding,
  attributions: readonly (readonly tf.Tensor[])[],
  differences: readonly tf.Tensor[],
  batch: ModelBatch,
): tf.Tensor[] {
  return tf.tidy(() =>
    attributions.map((perSource, target) => {
      const inputs = perSource.filter((_, index) => binding.sources[index]?.kind === 'input');
      const total = inputs.map(sumRows).reduce((sum, value) => tf.add(sum, value), tf.zeros([batch.rows]));
      const delta = tf.sub(total, differences[target] as tf.Tensor);
      return tf.reshape(delta, [...batch.batchShape]);
    }),
  );
}
