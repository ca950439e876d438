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

import { ShapeNeutralTensor } from './shape-neutral-tensor.js';

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

/**
 * The value at `key` as a new tensor (the caller owns it): a tensor, or a {@link ShapeNeutralTensor} an
 * earlier step wrote; a typed error if it is missing or neither.
 */
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
  if (value instanceof ShapeNeutralTensor) return value.toTensor();
  if (!isTensor(value)) {
    throw new InvalidValueError({ what: `${what} at ${formatKey(key)} must be a tensor`, where, fix });
  }
  return tf.clone(value);
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
 * A new TensorDict with the batch shape of `data` holding `entries` stored shape-neutral (see
 * {@link ShapeNeutralTensor}): the dimension workflow's results describe datasets, not samples. The tensors
 * are disposed, also when this throws.
 */
export function resultDict(
  data: TensorDict,
  entries: readonly (readonly [KeyPath, tf.Tensor])[],
): TensorDict {
  try {
    return new TensorDict(
      entries.map(([key, tensor]) => [key, ShapeNeutralTensor.from(tensor)] as [KeyPath, ShapeNeutralTensor]),
      { batchShape: data.batchShape },
    );
  } finally {
    tf.dispose(entries.map(([, tensor]) => tensor));
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
