import * as tf from '@tensorflow/tfjs-core';

import type { TensorDict } from '@tdhook/core';
import type { MethodRunner } from '@tdhook/core/plugin';

import { gradientPass, type GradientPass } from './engine/gradient-pass.js';
import {
  attributionKeyOf,
  chunkedPass,
  readModelBatch,
  type AttributionSource,
  type GradientAttributionOptions,
  type GradientBinding,
  type ModelBatch,
} from './gradient-method.js';
import type { ResolvedTarget } from './targets.js';

/**
 * Turns the gradient of one target w.r.t. one source into its attribution (`[rows, ...]`); runs inside a
 * `tf.tidy`.
 *
 * @example
 * const inputTimesGradient: AttributionRule = ({ gradient, value }) => tf.mul(gradient, value);
 */
export type AttributionRule = (parts: {
  readonly gradient: tf.Tensor;
  readonly value: tf.Tensor;
  readonly source: AttributionSource;
}) => tf.Tensor;

/**
 * Publishes a run's results: `data`'s entries, the model outputs and every attribution, each reshaped to the
 * batch shape. Takes ownership of `outputs` and `attributions` (`[target][source]`).
 *
 * @example
 * return publishAttributions(data, binding, options, batch, pass.outputs, attributions);
 */
export function publishAttributions(
  data: TensorDict,
  binding: GradientBinding,
  options: GradientAttributionOptions,
  batch: ModelBatch,
  outputs: readonly tf.Tensor[],
  attributions: readonly (readonly tf.Tensor[])[],
): TensorDict {
  const result = data.clone();
  const unflatten = (value: tf.Tensor): tf.Tensor => {
    if (batch.batchShape.length === 1) return value; // rows are the batch already
    const shaped = tf.reshape(value, [...batch.batchShape, ...value.shape.slice(1)]);
    value.dispose();
    return shaped;
  };
  try {
    binding.model.outKeys.forEach((key, index) => {
      const output = outputs[index];
      if (output !== undefined) result.set(key, unflatten(output));
    });
    binding.targetNames.forEach((name, target) => {
      binding.sources.forEach((source, index) => {
        const value = attributions[target]?.[index];
        if (value !== undefined) result.set(attributionKeyOf(options, name, source), unflatten(value));
      });
    });
    return result;
  } catch (error) {
    result.dispose();
    throw error;
  }
}

/**
 * Runs the model through the gradient engine on a batch: targets resolved for it, rows chunked, one
 * `sampleOfRow` per chunk. The caller owns the pass and disposes it.
 *
 * @example
 * const pass = runGradientPass(binding, options, batch, targets);
 */
export function runGradientPass(
  binding: GradientBinding,
  options: GradientAttributionOptions,
  inputs: readonly tf.Tensor[],
  targets: readonly ResolvedTarget[],
  sampleOfRow?: (rows: { readonly start: number; readonly size: number }) => tf.Tensor,
): GradientPass {
  return chunkedPass(inputs, options.chunkSize, (chunk, rows) => {
    const whole = rows.start === 0 && rows.size === (inputs[0]?.shape[0] ?? 0);
    const mapping =
      sampleOfRow?.(rows) ?? (whole ? undefined : tf.range(rows.start, rows.start + rows.size, 1, 'int32'));
    try {
      return gradientPass(binding.model, chunk, binding.gradientSources, targets, {
        ...(options.strategy === undefined ? {} : { strategy: options.strategy }),
        ...(mapping === undefined ? {} : { sampleOfRow: mapping }),
      });
    } finally {
      mapping?.dispose();
    }
  });
}

/**
 * The runner of a method whose attribution is a function of one gradient pass (saliency, input × gradient,
 * guided backprop, LRP): read the batch, run the pass, apply `rule` to each gradient, publish.
 *
 * @example
 * bind: (options, context) => gradientRunner(options, bindGradientMethod(options, context, id), id, rule),
 */
export function gradientRunner(
  options: GradientAttributionOptions,
  binding: GradientBinding,
  where: string,
  rule: AttributionRule,
  around: <T>(run: () => T) => T = (run) => run(),
): MethodRunner {
  return {
    run: (data) => {
      const batch = readModelBatch(binding.model, data, binding.sources, where);
      let targets: ResolvedTarget[] = [];
      try {
        targets = binding.resolveTargets(data, batch.rows);
        const pass = around(() => runGradientPass(binding, options, batch.inputs, targets));
        let attributions: tf.Tensor[][];
        try {
          attributions = tf.tidy(() =>
            pass.gradients.map((gradients) =>
              gradients.map((gradient, index) =>
                rule({
                  gradient,
                  value: pass.sources[index] as tf.Tensor,
                  source: binding.sources[index] as AttributionSource,
                }),
              ),
            ),
          );
        } catch (error) {
          tf.dispose([...pass.outputs, ...pass.sources, ...pass.gradients.flat()]);
          throw error;
        }
        // A rule may hand back the gradient itself (raw saliency).
        const kept = new Set(attributions.flat());
        tf.dispose([...pass.sources, ...pass.gradients.flat()].filter((tensor) => !kept.has(tensor)));
        return publishAttributions(data, binding, options, batch, pass.outputs, attributions);
      } finally {
        tf.dispose(batch.inputs);
        for (const target of targets) target.dispose();
        binding.endRun();
      }
    },
  };
}
