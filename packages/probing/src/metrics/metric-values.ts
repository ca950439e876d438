// Reading metric arguments (tensors, arrays of numbers or booleans) into numbers, with the shape checks.
import * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError, ShapeMismatchError } from '@tdhook/core';

/**
 * What the metrics take: a tensor (any dtype; bool reads as 0/1) or an array of numbers or booleans.
 *
 * @example
 * const predicted: MetricInput = [true, false, true];
 */
export type MetricInput = tf.Tensor | ArrayLike<number> | readonly boolean[];

/** Values and shape (`[n]` for arrays, `[n]` or `[n, k]` for tensors). */
export interface MetricValues {
  readonly values: Float64Array;
  readonly shape: readonly number[];
}

/** Reads `input`; `where` names the metric and argument in errors. */
export function metricValues(input: MetricInput, where: string): MetricValues {
  if (input instanceof tf.Tensor) {
    if (input.rank !== 1 && input.rank !== 2) {
      throw new ShapeMismatchError({
        what: `Expected a tensor of shape [n] or [n, k], got [${input.shape.join(', ')}]`,
        where,
      });
    }
    return { values: Float64Array.from(input.dataSync() as ArrayLike<number>), shape: input.shape };
  }
  // Typed input can still be undefined at run time: `labels!` in a computeMetrics on an unlabelled batch.
  const given: unknown = input;
  if (given === null || typeof given !== 'object' || !('length' in given)) {
    throw new InvalidValueError({
      what: `Expected a tensor or an array of numbers, got ${given === null ? 'null' : typeof given}`,
      where,
      fix: 'Pass the values; in computeMetrics, give the batch labels (its "labels" key) on every step.',
    });
  }
  const values = Float64Array.from(Array.from(input as ArrayLike<number | boolean>, Number));
  return { values, shape: [values.length] };
}

/** Reads a prediction and the truth of the same shape, at least one sample; 1-D when `vector`. */
export function metricPair(
  predicted: MetricInput,
  truth: MetricInput,
  metric: string,
  vector: boolean,
): { readonly predicted: MetricValues; readonly truth: MetricValues } {
  const p = metricValues(predicted, `${metric}(predicted)`);
  const t = metricValues(truth, `${metric}(truth)`);
  if (p.shape.join(',') !== t.shape.join(',')) {
    throw new ShapeMismatchError({
      what: `predicted has shape [${p.shape.join(', ')}] but truth has [${t.shape.join(', ')}]`,
      where: metric,
      fix: 'Pass one prediction per true value, in the same order.',
    });
  }
  if (vector && p.shape.length !== 1) {
    throw new ShapeMismatchError({
      what: `Expected 1-D labels [n], got shape [${p.shape.join(', ')}]`,
      where: metric,
      fix: 'Pass class labels, not probabilities or one-hot rows (take the argmax first).',
    });
  }
  if (p.values.length === 0) {
    throw new InvalidValueError({
      what: 'Found empty inputs',
      where: metric,
      fix: 'Pass at least one sample.',
    });
  }
  return { predicted: p, truth: t };
}
