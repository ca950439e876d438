import * as tf from '@tensorflow/tfjs-core';
import {
  defineOperator,
  InvalidValueError,
  ShapeMismatchError,
  TensorDict,
  toKeyPath,
  type Key,
  type KeyPath,
  type TensorDictOperator,
} from '@tdhook/core';
import { checkOptionNames, joinKeys } from '@tdhook/core/plugin';

import { readTensor, uniformRow } from './read-tensor.js';

/**
 * Options of {@link channelSteeringVector}.
 *
 * @example
 * const options: ChannelSteeringVectorOptions = { activationsKey: ['cache', 'features.2'], coefficient: 1 };
 */
export interface ChannelSteeringVectorOptions {
  /** Where the cached module activations are, `[...batch, C]` (e.g. `['cache', 'features.2']` of activationCaching). */
  readonly activationsKey: Key;
  /** Where the binary concept labels are, shaped like the batch. Default `'concept_labels'`. */
  readonly labelsKey?: Key;
  /** Where a concept selection wrote its `channel` (read uniform over the batch). Default `['metrics', 'concept_selection']`. */
  readonly selectionKey?: Key;
  /** Where the results go. Default `'steering'`. */
  readonly outKey?: Key;
  /** Scales the mean difference. Default 1 (moves the mean of the other states onto the mean of the `towards` states). */
  readonly coefficient?: number;
  /** The label whose states the vector steers towards (0 or 1). Default 1. */
  readonly towards?: 0 | 1;
}

const where = 'adapter-rl/channelSteeringVector';
const outNames = ['vector', 'channel', 'towards_mean', 'away_mean'] as const;

function checkOptions(options: ChannelSteeringVectorOptions): {
  activationsKey: KeyPath;
  labelsKey: KeyPath;
  selectionKey: KeyPath;
  outKey: KeyPath;
  coefficient: number;
  towards: 0 | 1;
} {
  if (typeof options !== 'object' || (options as unknown) === null) {
    throw new InvalidValueError({
      what: 'Options must be an object',
      where,
      fix: "Pass { activationsKey: ['cache', 'features.2'] }.",
    });
  }
  checkOptionNames(
    options,
    ['activationsKey', 'labelsKey', 'selectionKey', 'outKey', 'coefficient', 'towards'],
    {},
    where,
  );
  if ((options.activationsKey as unknown) === undefined) {
    throw new InvalidValueError({
      what: 'activationsKey is required',
      where,
      fix: "Cache the module first (activationCaching({ select: ['features.2'] }) writes ['cache', 'features.2']) and name it.",
    });
  }
  const coefficient = options.coefficient ?? 1;
  if (typeof coefficient !== 'number' || !Number.isFinite(coefficient)) {
    throw new InvalidValueError({
      what: `coefficient must be a finite number, got ${String(coefficient)}`,
      where,
      fix: 'Pass coefficient: 1 (or leave it out).',
    });
  }
  // Checked at run time too: options often come from configuration in plain JavaScript.
  const towards: unknown = options.towards ?? 1;
  if (towards !== 0 && towards !== 1) {
    throw new InvalidValueError({ what: `towards must be 0 or 1, got ${String(towards)}`, where });
  }
  return {
    activationsKey: toKeyPath(options.activationsKey, `${where} activationsKey`),
    labelsKey: toKeyPath(options.labelsKey ?? 'concept_labels', `${where} labelsKey`),
    selectionKey: toKeyPath(
      options.selectionKey ?? ['metrics', 'concept_selection'],
      `${where} selectionKey`,
    ),
    outKey: toKeyPath(options.outKey ?? 'steering', `${where} outKey`),
    coefficient,
    towards,
  };
}

/**
 * A steering vector on the channel a concept selection chose, from cached activations, as a TensorDict
 * operator: `coefficient · (mean over the `towards` states − mean over the others)` on the selected channel,
 * zero on every other channel. Writes under `outKey`: `vector` (`[...batch, C]`, the same row everywhere, what
 * {@link policyRollouts} adds), `channel` (int32 `[...batch]`), and the per-channel means `towards_mean` and
 * `away_mean` (`[...batch, C]`). With the default coefficient 1 the vector moves the mean activation of the
 * other states onto the `towards` states' mean: the original tutorial's replacement by the right-goal mean,
 * as an addition.
 *
 * @example
 * const workflow = new Workflow([
 *   …, // conceptSelection writes ['metrics', 'concept_selection']
 *   activationCaching({ select: ['features.2'] }),
 *   channelSteeringVector({ activationsKey: ['cache', 'features.2'] }),
 * ]);
 */
export function channelSteeringVector(options: ChannelSteeringVectorOptions): TensorDictOperator {
  const config = checkOptions(options);
  const channelKey = joinKeys(config.selectionKey, ['channel']);
  return defineOperator({
    name: where,
    inKeys: [config.activationsKey, config.labelsKey, channelKey],
    outKeys: outNames.map((name) => joinKeys(config.outKey, [name])),
    run: (data) => {
      const batchShape = data.batchShape;
      const activations = readTensor(
        data,
        config.activationsKey,
        'activations',
        where,
        "Cache the module first, e.g. activationCaching({ select: ['features.2'] }).",
      );
      const labels = readTensor(
        data,
        config.labelsKey,
        'concept labels',
        where,
        'Add binary labels shaped like the batch.',
      );
      const channelTensor = readTensor(
        data,
        channelKey,
        'selected channel',
        where,
        'Run conceptSelection(...) first.',
      );
      if (activations.rank !== batchShape.length + 1) {
        throw new ShapeMismatchError({
          what: `The activations have shape [${activations.shape.join(', ')}]; expected [${[...batchShape, 'C'].join(', ')}]`,
          where,
          fix: 'Steer a module with one channel axis after the batch (a Linear layer).',
        });
      }
      const rows = batchShape.reduce((total, size) => total * size, 1);
      const channels = activations.shape[activations.rank - 1] ?? 0;
      const [channel] = uniformRow(channelTensor.dataSync() as Int32Array, 1, 'selected channel', where);
      if (channel === undefined || !Number.isInteger(channel) || channel < 0 || channel >= channels) {
        throw new InvalidValueError({
          what: `The selected channel ${String(channel)} is not one of the ${channels} channels`,
          where,
          fix: 'Select on the module whose activations are cached.',
        });
      }
      const label = labels.dataSync();
      if (label.length !== rows) {
        throw new ShapeMismatchError({
          what: `The labels have shape [${labels.shape.join(', ')}], not the batch shape [${batchShape.join(', ')}]`,
          where,
          fix: 'Give one label per sample.',
        });
      }
      const notBinary = Array.from(label).findIndex((value) => value !== 0 && value !== 1);
      if (notBinary >= 0) {
        throw new InvalidValueError({
          what: `The labels must be 0 or 1; sample ${notBinary} has ${String(label[notBinary])}`,
          where,
          fix: 'Give binary concept labels (bool, or int32 0/1) shaped like the batch.',
        });
      }
      const values = activations.dataSync();
      const towardsSum = new Float64Array(channels);
      const awaySum = new Float64Array(channels);
      let towardsCount = 0;
      for (let row = 0; row < rows; row++) {
        const into = Number(label[row]) === config.towards ? towardsSum : awaySum;
        if (into === towardsSum) towardsCount += 1;
        for (let c = 0; c < channels; c++) into[c] = (into[c] ?? 0) + (values[row * channels + c] ?? 0);
      }
      const awayCount = rows - towardsCount;
      if (towardsCount === 0 || awayCount === 0) {
        throw new InvalidValueError({
          what: `The labels must contain both classes, but all ${rows} are ${towardsCount === 0 ? 1 - config.towards : config.towards}`,
          where,
          fix: 'Steer from a batch with states of both labels (e.g. the corridor panel).',
        });
      }
      const towardsMean = Float32Array.from(towardsSum, (sum) => sum / towardsCount);
      const awayMean = Float32Array.from(awaySum, (sum) => sum / awayCount);
      const vector = new Float32Array(channels);
      vector[channel] = config.coefficient * ((towardsMean[channel] ?? 0) - (awayMean[channel] ?? 0));
      const perRow = (row: Float32Array): tf.Tensor =>
        tf.tidy(() => tf.broadcastTo(tf.tensor1d(row), [...batchShape, channels]));
      const entries: [KeyPath, tf.Tensor][] = [];
      try {
        entries.push([joinKeys(config.outKey, ['vector']), perRow(vector)]);
        entries.push([joinKeys(config.outKey, ['channel']), tf.fill([...batchShape], channel, 'int32')]);
        entries.push([joinKeys(config.outKey, ['towards_mean']), perRow(towardsMean)]);
        entries.push([joinKeys(config.outKey, ['away_mean']), perRow(awayMean)]);
        return new TensorDict(entries, { batchShape });
      } catch (error) {
        tf.dispose(entries.map(([, tensor]) => tensor));
        throw error;
      }
    },
  });
}
