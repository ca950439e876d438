import * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError, type Key } from '@tdhook/core';
import { checkOptionNames } from '@tdhook/core/plugin';

import { batchesOf, disposeBatch, type DictionaryData, type RowSpec } from './dictionary-data.js';
import type { SparseDictionary } from './sparse-dictionary.js';

/**
 * Options of {@link dictionaryMetrics}: the `data` (as the trainers take it), `key` for an autoencoder; `inputKey` and `targetKey` for a transcoder.
 *
 * @example
 * const forSae: DictionaryMetricsOptions = { data: heldOut, key: 'resid' };
 * const forTranscoder: DictionaryMetricsOptions = { data: heldOut, inputKey: 'mlp_in', targetKey: 'mlp_out' };
 */
export interface DictionaryMetricsOptions {
  /** The held-out activations: a TensorDict, or `() => AsyncIterable<TensorDict>` (disk shards), as the trainers take. */
  readonly data: DictionaryData;
  /** The activations an autoencoder reconstructs. */
  readonly key?: Key;
  /** A transcoder's input (an alias of `key`). */
  readonly inputKey?: Key;
  /** A transcoder's target; required for a dictionary whose output is not its input. */
  readonly targetKey?: Key;
  /** Rows per evaluated batch (memory only, not the result). Default 4096. */
  readonly batchSize?: number;
}

/**
 * How well a sparse dictionary does on some activations.
 *
 * @example
 * const { explainedVariance, l0, deadFraction } = await dictionaryMetrics(sae, { data: heldOut, key: 'resid' });
 */
export interface DictionaryMetrics {
  /** Rows measured. */
  readonly rows: number;
  /** Mean squared error per entry: mean (x − x̂)² (for a transcoder, against the target). */
  readonly mse: number;
  /** 1 − Σ‖x − x̂‖² / Σ‖x − x̄‖² (x̄ the mean row of the data; against the target for a transcoder). */
  readonly explainedVariance: number;
  /** The mean number of active (> 0) features per row. */
  readonly l0: number;
  /** The fraction of features active on no row. */
  readonly deadFraction: number;
  /** Per feature: the fraction of rows on which it is active. */
  readonly featureFrequency: Float64Array;
}

/**
 * Reconstruction MSE, explained variance, L0, dead fraction and per-feature firing frequency of a
 * {@link SparseAutoencoder} (against its input) or a {@link Transcoder} (against the target) on `options.data`
 * (a TensorDict or a stream of them, read twice: once for the mean, once for the errors). Sums in float64.
 *
 * @example
 * const metrics = await dictionaryMetrics(sae, { data: heldOut, key: 'blocks.0.hook_resid_post' });
 * console.log(metrics.explainedVariance.toFixed(3), metrics.l0, metrics.deadFraction);
 */
export async function dictionaryMetrics(
  dictionary: SparseDictionary,
  options: DictionaryMetricsOptions,
): Promise<DictionaryMetrics> {
  const where = 'dictionaryMetrics';
  checkOptionNames(options, ['data', 'key', 'inputKey', 'targetKey', 'batchSize'], {}, where);
  const { data } = options;
  const inputKey = options.key ?? options.inputKey;
  const autoencoder = dictionary.typeName === 'SparseAutoencoder' || options.targetKey === undefined;
  if (inputKey === undefined || (options.targetKey === undefined && dictionary.typeName === 'Transcoder')) {
    throw new InvalidValueError({
      what:
        inputKey === undefined
          ? 'No key of the activations given'
          : 'A transcoder is measured against a target, and no targetKey was given',
      where,
      fix: "Pass { key: 'resid' } for an autoencoder, { inputKey, targetKey } for a transcoder.",
    });
  }
  const batchSize = options.batchSize ?? 4096;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new InvalidValueError({
      what: `batchSize must be a positive integer, got ${String(batchSize)}`,
      where,
      fix: 'Pass e.g. batchSize: 4096.',
    });
  }
  const spec: RowSpec = autoencoder
    ? { inputKey, inputSize: dictionary.inputSize, where }
    : {
        inputKey,
        inputSize: dictionary.inputSize,
        targetKey: options.targetKey,
        targetSize: dictionary.outputSize,
        where,
      };
  const width = dictionary.outputSize;
  const features = dictionary.features;
  // Pass 1: the mean target row.
  const sum = new Float64Array(width);
  let rows = 0;
  for await (const batch of batchesOf(data, spec, batchSize, undefined, true)) {
    try {
      const values = tf.tidy(() => tf.sum(batch.target ?? batch.input, 0).dataSync());
      for (let i = 0; i < width; i++) sum[i] = (sum[i] ?? 0) + (values[i] ?? 0);
      rows += batch.input.shape[0];
    } finally {
      disposeBatch(batch);
    }
  }
  if (rows === 0) {
    throw new InvalidValueError({ what: 'The data holds no rows', where, fix: 'Pass some activations.' });
  }
  const mean = sum.map((value) => value / rows);
  // Pass 2: errors, spread and feature counts, one download per batch.
  let squaredError = 0;
  let spread = 0;
  let active = 0;
  const counts = new Float64Array(features);
  const meanRow = tf.tensor1d(Float32Array.from(mean));
  try {
    for await (const batch of batchesOf(data, spec, batchSize, undefined, false)) {
      try {
        const values = tf.tidy(() => {
          const y = batch.target ?? batch.input;
          const f = dictionary.encodeRows(batch.input);
          const prediction = dictionary.decodeRows(f);
          const fired = tf.sum(tf.cast(tf.greater(f, 0), 'float32'), 0);
          return tf
            .concat([
              tf.stack([tf.sum(tf.square(tf.sub(y, prediction))), tf.sum(tf.square(tf.sub(y, meanRow)))]),
              fired,
            ])
            .dataSync();
        });
        squaredError += values[0] ?? 0;
        spread += values[1] ?? 0;
        for (let j = 0; j < features; j++) {
          const count = values[2 + j] ?? 0;
          counts[j] = (counts[j] ?? 0) + count;
          active += count;
        }
      } finally {
        disposeBatch(batch);
      }
    }
  } finally {
    meanRow.dispose();
  }
  const featureFrequency = counts.map((count) => count / rows);
  const dead = featureFrequency.reduce((total, frequency) => total + (frequency === 0 ? 1 : 0), 0);
  return {
    rows,
    mse: squaredError / (rows * width),
    explainedVariance: spread > 0 ? 1 - squaredError / spread : Number.NaN,
    l0: active / rows,
    deadFraction: dead / features,
    featureFrequency,
  };
}
