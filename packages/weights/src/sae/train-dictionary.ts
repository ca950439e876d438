// The one training loop behind trainSparseAutoencoder and trainTranscoder: Adam on mini-batches, decoder
// directions renormalised after every step, statistics read once per step (one download).
import * as tf from '@tensorflow/tfjs-core';
import { checkOptionNames, isTensorDict, seededRandom } from '@tdhook/core/plugin';
import { InvalidValueError } from '@tdhook/core';

import { initializeBiases, initializeDirections } from './data-init.js';
import { DeadFeatureTracker } from './dead-features.js';
import {
  batchesOf,
  checkFinite,
  disposeBatch,
  readRows,
  type RowBatch,
  type RowSpec,
} from './dictionary-data.js';
import { DictionaryTrainingError } from './dictionary-training-error.js';
import type { SparseDictionary } from './sparse-dictionary.js';
import type { DictionaryTrainingOptions, TrainingHistory } from './training-options.js';

const sharedOptions = [
  'data',
  'epochs',
  'batchSize',
  'learningRate',
  'l1',
  'seed',
  'shuffle',
  'deadWindow',
  'initializeFromData',
  'onProgress',
  'signal',
];
// SAELens' names and this package's earlier one.
const renamed: Readonly<Record<string, string>> = {
  lr: 'Use learningRate.',
  learning_rate: 'Use learningRate.',
  batch_size: 'Use batchSize.',
  train_batch_size_tokens: 'Use batchSize (rows per step).',
  l1_coefficient: 'Use l1.',
  l1Coefficient: 'Use l1.',
  dead_feature_window: 'Use deadWindow.',
  initializeBiases: 'Use initializeFromData.',
};

// Shuffling draws from its own stream, apart from the weights' seed.
const shuffleSalt = 0x5bd1e995;

function positiveInteger(value: number, name: string, where: string): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new InvalidValueError({
      what: `${name} must be a positive integer, got ${String(value)}`,
      where,
      fix: `Pass a whole number ≥ 1 as ${name}.`,
    });
  }
  return value;
}

function nonNegative(value: number, name: string, where: string): number {
  if (!Number.isFinite(value) || value < 0) {
    throw new InvalidValueError({
      what: `${name} must be a finite number ≥ 0, got ${String(value)}`,
      where,
      fix: `Pass e.g. ${name}: 0.001.`,
    });
  }
  return value;
}

/** The per-step statistics as one tensor: [loss, Σ(x − x̂)², Σ active, fired per feature…]. */
function stepLoss(
  dictionary: SparseDictionary,
  batch: RowBatch,
  l1: number,
  stats: { tensor?: tf.Tensor },
): tf.Scalar {
  const x = batch.input;
  const y = batch.target ?? x;
  const f = dictionary.encodeRows(x);
  const decoder = dictionary.decoderWeight();
  const prediction = tf.add(tf.matMul(f, decoder), dictionary.decoderBias);
  const squared = tf.sum(tf.square(tf.sub(y, prediction)));
  const rows = x.shape[0];
  let loss: tf.Scalar = tf.div(squared, rows);
  if (dictionary.activation === 'relu' && l1 > 0) {
    // Weighted by decoder norms unless they are held at 1 (then the weights are exactly 1 anyway).
    const weighted = dictionary.normalizeDecoder ? f : tf.mul(f, tf.transpose(tf.norm(decoder, 2, 1, true)));
    loss = tf.add(loss, tf.mul(tf.div(tf.sum(weighted), rows), l1));
  }
  const active = tf.cast(tf.greater(f, 0), 'float32');
  stats.tensor = tf.keep(tf.concat([tf.stack([loss, squared, tf.sum(active)]), tf.max(active, 0)]));
  return loss;
}

/** Trains `dictionary` in place on `spec`'s rows of `options.data`. */
export async function trainDictionary(
  dictionary: SparseDictionary,
  spec: RowSpec,
  options: DictionaryTrainingOptions,
): Promise<TrainingHistory> {
  const where = spec.where;
  checkOptionNames(
    options,
    [...sharedOptions, ...(spec.targetKey === undefined ? ['key'] : ['inputKey', 'targetKey'])],
    renamed,
    where,
  );
  const epochs = positiveInteger(options.epochs ?? 1, 'epochs', where);
  const batchSize = positiveInteger(options.batchSize ?? 256, 'batchSize', where);
  const deadWindow = positiveInteger(options.deadWindow ?? 10_000, 'deadWindow', where);
  const learningRate = nonNegative(options.learningRate ?? 1e-3, 'learningRate', where);
  const l1 = nonNegative(options.l1 ?? 1e-2, 'l1', where);
  const seed = options.seed ?? 0;
  if (!Number.isInteger(seed)) {
    throw new InvalidValueError({
      what: `seed must be an integer, got ${String(seed)}`,
      where,
      fix: 'Pass e.g. seed: 0.',
    });
  }
  const { data, signal, onProgress } = options;
  if (!isTensorDict(data) && typeof data !== 'function') {
    throw new InvalidValueError({
      what: 'data must be a TensorDict or a function returning an AsyncIterable of TensorDicts',
      where,
      fix: 'Pass the cache (a TensorDict), or () => readActivationShards(folder).',
    });
  }
  // A dict in memory is checked whole before anything changes; streamed dicts are checked as they come.
  if (isTensorDict(data)) {
    const rows = readRows(data, spec);
    try {
      checkFinite(rows, where);
    } finally {
      disposeBatch(rows);
    }
  }
  const random = options.shuffle === false ? undefined : seededRandomFor(seed);
  const variables = dictionary.trainableVariables;
  const before = variables.map((variable) => tf.keep(tf.clone(variable)));
  const restore = (): void => {
    variables.forEach((variable, i) => {
      variable.assign(before[i] as tf.Tensor);
    });
  };
  const optimizer = tf.train.adam(learningRate);
  const dead = new DeadFeatureTracker(dictionary.features, deadWindow);
  const history = { loss: [] as number[], mse: [] as number[], l0: [] as number[] };
  let steps = 0;
  let activations = 0;
  const initialize = options.initializeFromData !== false;
  let biasesPending = initialize;
  // A transcoder's directions come from its first ⌈features / batchSize⌉ batches, the same from memory as
  // from shards.
  let nextFeature = initialize && spec.targetKey !== undefined ? 0 : dictionary.features;
  try {
    for (let epoch = 0; epoch < epochs; epoch++) {
      for await (const batch of restoringOnFailure(
        batchesOf(data, spec, batchSize, random, !isTensorDict(data)),
        restore,
      )) {
        let stats: tf.Tensor | undefined;
        try {
          if (signal?.aborted === true) {
            throw new DictionaryTrainingError('E_SAE_ABORTED', {
              what: `Training stopped by its AbortSignal after ${String(steps)} steps`,
              where,
              fix: 'The weights hold the last completed step; train again to continue (initializeFromData: false).',
              cause: signal.reason,
            });
          }
          if (biasesPending) {
            biasesPending = false;
            initializeBiases(dictionary, batch);
          }
          if (nextFeature < dictionary.features) {
            nextFeature += initializeDirections(dictionary, batch, nextFeature);
          }
          const holder: { tensor?: tf.Tensor } = {};
          tf.tidy(() => {
            optimizer.minimize(() => stepLoss(dictionary, batch, l1, holder), false, variables);
          });
          if (dictionary.normalizeDecoder) dictionary.normalizeDecoderDirections();
          stats = holder.tensor;
          const values = (await (stats as tf.Tensor).data()) as Float32Array;
          const rows = batch.input.shape[0];
          const loss = values[0] ?? Number.NaN;
          if (!Number.isFinite(loss)) {
            restore();
            checkFinite(batch, where); // NaN or infinite values in a streamed dict: that error instead
            throw new DictionaryTrainingError('E_SAE_DIVERGED', {
              what: `The loss became ${String(loss)} at step ${String(steps + 1)}; the weights were put back as they were before training`,
              where,
              fix: 'Lower learningRate (or l1), or scale the activations down.',
            });
          }
          steps++;
          activations += rows;
          dead.update(values.subarray(3), rows);
          const mse = (values[1] ?? 0) / (rows * dictionary.outputSize);
          const l0 = (values[2] ?? 0) / rows;
          history.loss.push(loss);
          history.mse.push(mse);
          history.l0.push(l0);
          onProgress?.({ step: steps, epoch, loss, mse, l0, deadFraction: dead.deadFraction() });
        } finally {
          stats?.dispose();
          disposeBatch(batch);
        }
      }
    }
    return { steps, epochs, activations, ...history, deadFraction: dead.deadFraction() };
  } finally {
    optimizer.dispose();
    tf.dispose(before);
  }
}

/** Passes `batches` on; a failure reading them (a streamed dict with NaN, another key or width) restores first. */
async function* restoringOnFailure<T>(batches: AsyncIterable<T>, restore: () => void): AsyncGenerator<T> {
  try {
    yield* batches;
  } catch (error) {
    restore();
    throw error;
  }
}

function seededRandomFor(seed: number): () => number {
  return seededRandom((seed ^ shuffleSalt) >>> 0);
}
