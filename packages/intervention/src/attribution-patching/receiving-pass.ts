// The receiving run: one recorded forward pass and ONE backward pass of the summed metric, with respect to
// every site path's output at once, through @tdhook/attribution's gradient engine. Rows are independent,
// so the gradient of the sum holds each row's own gradient.
import type * as tf from '@tensorflow/tfjs-core';

import type { KeyedModel } from '@tdhook/core';
import { gradientPass, type ModuleCaptures, type ResolvedTarget } from '@tdhook/attribution/plugin';

import { checkMetricValue, type PatchingMetric } from '../metric/patching-metric.js';

/**
 * What the receiving pass gives back; every tensor is the caller's.
 *
 * @example
 * const pass = receivingPass(context.model, inputs, captures, metric, rows, where);
 * tf.dispose([...pass.outputs, ...pass.values, ...pass.gradients]);
 */
export interface ReceivingPass {
  /** The model's outputs, `[rows, ...]`, in outKeys order. */
  readonly outputs: tf.Tensor[];
  /** Each captured path's output (in `captures.paths` order). */
  readonly values: tf.Tensor[];
  /** The metric's gradient at each captured path's output, the tensor the model uses. */
  readonly gradients: tf.Tensor[];
}

/**
 * The metric as the engine's one target. The engine hands a target its selected output only; the metric
 * reads every output, so the model call is wrapped to keep the latest outputs for it.
 */
function metricTarget(
  metric: PatchingMetric,
  latest: () => readonly tf.Tensor[],
  rows: number,
  where: string,
): ResolvedTarget {
  const target: ResolvedTarget = {
    name: undefined,
    source: { kind: 'output', index: 0, key: ['output'] },
    pick: (value) => checkMetricValue(metric(value, latest()), rows, where),
    pin: () => target,
    dispose: () => undefined,
  };
  return target;
}

/**
 * Runs `model` on `inputs` (rows first) and differentiates the sum of the per-row metric with respect to
 * every path `captures` holds, in one backward pass. Hooks on the model apply, LRP rules included (then the
 * gradients are the modified ones).
 *
 * @example
 * const { outputs, values, gradients } = receivingPass(context.model, inputs, captures, metric, 2, where);
 */
export function receivingPass(
  model: KeyedModel,
  inputs: readonly tf.Tensor[],
  captures: ModuleCaptures,
  metric: PatchingMetric,
  rows: number,
  where: string,
): ReceivingPass {
  let latest: readonly tf.Tensor[] = [];
  // The engine only calls the model; this view of it remembers the outputs for the metric.
  const recording = {
    callTensors: (xs: readonly tf.Tensor[]): tf.Tensor[] => {
      const outputs = model.callTensors(xs);
      latest = outputs;
      return outputs;
    },
  } as unknown as KeyedModel;
  try {
    const pass = gradientPass(
      recording,
      inputs,
      { inputs: [], captures, moduleSources: captures.paths.length },
      [metricTarget(metric, () => latest, rows, where)],
    );
    return { outputs: pass.outputs, values: pass.sources, gradients: pass.gradients[0] ?? [] };
  } finally {
    latest = [];
  }
}
