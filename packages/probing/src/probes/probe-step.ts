import type * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError } from '@tdhook/core';
import { isTensor } from '@tdhook/core/plugin';

/**
 * What a probe does with one batch: learn from it (`'fit'`) or be evaluated on it (`'predict'`). The
 * `probing` method reads it from the TensorDict (key `'step_type'` by default).
 *
 * @example
 * const stepType: StepType = 'fit';
 */
export type StepType = 'fit' | 'predict';

/**
 * What a probe's `step` gets besides the activation: the step type and the additional items the `probing`
 * method read from the TensorDict, by name (`labels` by default).
 *
 * @example
 * const step: ProbeStep = { stepType: 'fit', labels };
 * probe.step(activation, step);
 */
export interface ProbeStep {
  /** `'fit'` or `'predict'` for {@link Probe}; whatever the step key holds (checked by the probe). */
  readonly stepType?: unknown;
  /** The labels of the batch, batch dims flattened to one: `[n]` class labels or `[n, k]` targets. */
  readonly labels?: tf.Tensor;
  /** Any other additional item, by the name `probing`'s `additionalKeys` gave it. */
  readonly [item: string]: unknown;
}

/**
 * What `probing`'s `probeFactory` returns: anything with a `step` that reads one activation (borrowed: valid
 * during the call only; `tf.keep` or clone what you store).
 *
 * @example
 * const counting: ProbeLike = { step: (value) => { rows += value.shape[0] ?? 0; } };
 */
export interface ProbeLike {
  step(value: tf.Tensor, step: ProbeStep): unknown;
}

/**
 * Checks a step type: `'fit'` or `'predict'`, else an `InvalidValueError` with the original's wording
 * ("step_type must be 'fit' or 'predict'").
 *
 * @example
 * checkStepType('fit', 'Probe.step'); // 'fit'
 */
export function checkStepType(stepType: unknown, where: string): StepType {
  if (stepType === 'fit' || stepType === 'predict') return stepType;
  throw new InvalidValueError({
    what: `step_type must be 'fit' or 'predict', got ${stepType === undefined ? 'nothing' : JSON.stringify(stepType)}`,
    where,
    fix: "Put 'fit' or 'predict' under the step key of the TensorDict (default 'step_type').",
  });
}

/**
 * The labels a fit needs, or an `InvalidValueError` saying where they should come from.
 *
 * @example
 * const labels = requireLabels(step.labels, 'Probe.step');
 */
export function requireLabels(labels: unknown, where: string): tf.Tensor {
  if (isTensor(labels)) return labels;
  throw new InvalidValueError({
    what: 'A probe step needs labels (a tensor)',
    where,
    fix: "Give { labels } to step(); through probing, put them under 'labels' (or list their key in additionalKeys).",
  });
}
