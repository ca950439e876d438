// The default keys of the dimension workflow (the original's), and what its operators share: reading a
// tensor with a clear error, and writing results that are datasets rather than per-sample values.
import * as tf from '@tensorflow/tfjs-core';
import {
  formatKey,
  InvalidKeyError,
  InvalidValueError,
  MissingKeyError,
  ShapeMismatchError,
  TensorDict,
  toKeyPath,
  type Key,
  type KeyPath,
} from '@tdhook/core';
import { isKey, isTensor } from '@tdhook/core/plugin';

/** Where `activationCaching` publishes for the dimension workflow: `['activations', 'cache']`. */
export const defaultCacheKey: KeyPath = Object.freeze(['activations', 'cache']) as unknown as KeyPath;
/** Where the samples go: `['activations', 'samples']`. */
export const defaultSampleKey: KeyPath = Object.freeze(['activations', 'samples']) as unknown as KeyPath;
/** Where the dimensions go: `['metrics', 'dimension']`. */
export const defaultDimensionKey: KeyPath = Object.freeze(['metrics', 'dimension']) as unknown as KeyPath;
/** Where the summary goes: `['metrics', 'dimension_summary']` (`count`, `mean`, `std` under it). */
export const defaultSummaryKey: KeyPath = Object.freeze([
  'metrics',
  'dimension_summary',
]) as unknown as KeyPath;

/** A key option, checked; the error names the option (and the original's name for it). */
export function keyOption(key: Key | undefined, fallback: KeyPath, name: string, where: string): KeyPath {
  if (key === undefined) return fallback;
  try {
    return toKeyPath(key, `${where} ${name}`);
  } catch (error) {
    throw new InvalidKeyError({
      what: `${name} must be a non-empty key (a string or a non-empty array of strings), got ${JSON.stringify(key)}`,
      where,
      fix: `E.g. ${name}: ['activations', 'samples'].`,
      cause: error,
    });
  }
}

/** The tensor at `key`, lent; a typed error if it is missing or not a tensor. */
export function readTensor(
  data: TensorDict,
  key: KeyPath,
  what: string,
  where: string,
  fix: string,
): tf.Tensor {
  if (!data.has(key)) {
    throw new MissingKeyError({ what: `${what} at ${formatKey(key)} is missing`, where, fix });
  }
  const value = data.get(key);
  if (!isTensor(value)) {
    throw new InvalidValueError({ what: `${what} at ${formatKey(key)} must be a tensor`, where, fix });
  }
  return value;
}

/** Rejects samples that are not `[..., points, features]`. */
export function checkSamplesRank(samples: tf.Tensor, where: string): void {
  if (samples.rank < 2) {
    throw new ShapeMismatchError({
      what: `Estimator samples must have shape [..., points, features], got [${samples.shape.join(', ')}]`,
      where,
      fix: 'Return one point cloud per condition: e.g. channelConditionedSamples gives [C, S, features].',
    });
  }
}

/**
 * A new TensorDict holding `entries` (it takes the tensors, also when it throws: they are disposed then),
 * with the batch shape of `data`. The dimension workflow's results describe datasets, not samples (the
 * original stores them shape-neutral), so they fit a TensorDict whose batch shape they start with: the
 * default `[]`.
 */
export function resultDict(
  data: TensorDict,
  entries: readonly (readonly [KeyPath, tf.Tensor])[],
  where: string,
): TensorDict {
  const batchShape = data.batchShape;
  const misfit = entries.find(
    ([, tensor]) =>
      tensor.rank < batchShape.length || batchShape.some((size, axis) => tensor.shape[axis] !== size),
  );
  if (misfit !== undefined) {
    tf.dispose(entries.map(([, tensor]) => tensor));
    throw new ShapeMismatchError({
      what: `The result at ${formatKey(misfit[0])} has shape [${misfit[1].shape.join(', ')}], which does not start with the TensorDict's batch shape [${batchShape.join(', ')}]: the dimension workflow's results describe datasets, not samples`,
      where,
      fix: 'Run it on a TensorDict without batch dims: new TensorDict({ input: x }) (batchShape [] is the default).',
    });
  }
  try {
    return new TensorDict(
      entries.map(([key, tensor]) => [key, tensor] as [KeyPath, tf.Tensor]),
      { batchShape },
    );
  } catch (error) {
    tf.dispose(entries.map(([, tensor]) => tensor));
    throw error;
  }
}

/** The key as a path, or undefined if it is not a valid key (for values from plain JavaScript). */
export function toKeyPathSafe(key: unknown): KeyPath | undefined {
  if (!isKey(key)) return undefined;
  try {
    return toKeyPath(key);
  } catch {
    return undefined;
  }
}
