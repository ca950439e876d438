import * as tf from '@tensorflow/tfjs-core';

import {
  defineOperator,
  formatKey,
  InvalidValueError,
  MissingKeyError,
  ShapeMismatchError,
  TensorDict,
  toKeyPath,
  type Key,
  type KeyPath,
  type TensorDictOperator,
} from '@tdhook/core';
import { isTensor, joinKeys } from '@tdhook/core/plugin';

import { checkAxisOption, checkDirectionName, resolveAxis } from './checks.js';
import { relMaxAt } from './rel-max.js';
import { defaultConceptSelectionKey } from './selection-key.js';

/**
 * Options of {@link conceptSelection}.
 *
 * @example
 * const options: ConceptSelectionOptions = { relevanceKey: ['attr', 'conv2'], labelsKey: 'striped' };
 */
export interface ConceptSelectionOptions {
  /** Where the module relevance is: `[...batch, ..., C]`, e.g. `['attr', 'conv2']` of `lrp({ modules: ['conv2'] })`. */
  readonly relevanceKey: Key;
  /** Where the binary concept labels are, shaped like the batch (0/1, or bool). Default `'concept_labels'`. */
  readonly labelsKey?: Key;
  /** Where the results go. Default `['metrics', 'concept_selection']`. */
  readonly outKey?: Key;
  /** `'positive'` (argmax of the scores) or `'negative'` (argmin). Default `'positive'`. */
  readonly direction?: 'positive' | 'negative';
  /** The channel axis of the relevance tensor (a feature axis, not a batch axis); negative counts from the end. Default `-1`. */
  readonly channelAxis?: number;
}

const where = 'attribution/conceptSelection';

/** The six entries the operator writes under its outKey. */
const outNames = ['positive_mean', 'negative_mean', 'scores', 'channel', 'direction', 'score'] as const;

/**
 * RelMax concept selection (see {@link relMax}) as a TensorDict operator, for a Workflow after the LRP that
 * computed the layer relevance. Reads the relevance at `relevanceKey` and the labels at `labelsKey` (shaped
 * like the batch; several batch dims are flattened), and returns a new TensorDict with, under `outKey`,
 * `positive_mean`, `negative_mean` and `scores` (`[...batch, C]`), `channel` and `direction` (int32,
 * `[...batch]`, direction ±1) and `score` (`[...batch]`): the one selection expanded to the batch, as the
 * original's `ConceptSelection`. Read it back with {@link readConceptSelection}.
 *
 * @example
 * const workflow = new Workflow([
 *   lrp({ composite: 'epsilonPlus', target: { select: 'argmax' }, modules: ['conv2'] }),
 *   conceptSelection({ relevanceKey: ['attr', 'conv2'] }),
 * ]);
 * const { data: result } = workflow.run(model, data); // data holds 'input' and 'concept_labels'
 * result.getTensor(['metrics', 'concept_selection', 'channel']); // int32 [N], the same channel everywhere
 */
export function conceptSelection(options: ConceptSelectionOptions): TensorDictOperator {
  if (typeof options !== 'object' || (options as unknown) === null) {
    throw new InvalidValueError({
      what: 'Options must be an object',
      where,
      fix: "Pass { relevanceKey: ['attr', 'conv2'] }.",
    });
  }
  if ((options.relevanceKey as unknown) === undefined) {
    throw new InvalidValueError({
      what: 'relevanceKey is required',
      where,
      fix: "Name the module relevance, e.g. relevanceKey: ['attr', 'conv2'] after lrp({ modules: ['conv2'] }).",
    });
  }
  const relevanceKey = toKeyPath(options.relevanceKey, `${where} relevanceKey`);
  const labelsKey = toKeyPath(options.labelsKey ?? 'concept_labels', `${where} labelsKey`);
  const outKey = toKeyPath(options.outKey ?? defaultConceptSelectionKey, `${where} outKey`);
  const direction = checkDirectionName(options.direction, where);
  const channelAxis = checkAxisOption(options.channelAxis ?? -1, 'channelAxis', where);
  return defineOperator({
    name: where,
    inKeys: [relevanceKey, labelsKey],
    outKeys: outNames.map((name) => joinKeys(outKey, [name])),
    run: (data) =>
      runSelection(data, {
        relevanceKey,
        labelsKey,
        outKey,
        channelAxis,
        direction: direction === 1 ? 'positive' : 'negative',
      }),
  });
}

interface SelectionConfig {
  readonly relevanceKey: KeyPath;
  readonly labelsKey: KeyPath;
  readonly outKey: KeyPath;
  readonly channelAxis: number;
  readonly direction: 'positive' | 'negative';
}

function readTensor(data: TensorDict, key: KeyPath, what: string, fix: string): tf.Tensor {
  if (!data.has(key)) {
    throw new MissingKeyError({ what: `No ${what} at ${formatKey(key)} in the TensorDict`, where, fix });
  }
  const value = data.get(key);
  if (!isTensor(value)) {
    throw new InvalidValueError({ what: `The ${what} at ${formatKey(key)} is not a tensor`, where, fix });
  }
  return value;
}

function runSelection(data: TensorDict, config: SelectionConfig): TensorDict {
  const batchShape = data.batchShape;
  const batchRank = batchShape.length;
  if (batchRank === 0) {
    throw new ShapeMismatchError({
      what: 'The TensorDict has no batch dim; concept selection compares the samples of a batch',
      where,
      fix: 'Give the TensorDict a batchShape, e.g. { batchShape: [N] }.',
    });
  }
  const relevance = readTensor(
    data,
    config.relevanceKey,
    'relevance',
    "Run the attribution first (e.g. lrp({ modules: ['conv2'] }) writes ['attr', 'conv2']), or set relevanceKey.",
  );
  const labels = readTensor(
    data,
    config.labelsKey,
    'concept labels',
    'Add binary labels shaped like the batch (1: the example shows the concept), or set labelsKey.',
  );
  const shape = (tensor: tf.Tensor): string => `[${tensor.shape.join(', ')}]`;
  if (relevance.rank <= batchRank) {
    throw new ShapeMismatchError({
      what: `The relevance at ${formatKey(config.relevanceKey)} has shape ${shape(relevance)}: no channel axis after the batch dims [${batchShape.join(', ')}]`,
      where,
      fix: 'Select among the channels of a module output, [...batch, ..., C].',
    });
  }
  const axis = resolveAxis(config.channelAxis, relevance.rank);
  if (axis === undefined || axis < batchRank) {
    throw new InvalidValueError({
      what: `channelAxis ${config.channelAxis} is ${axis === undefined ? 'out of range' : 'a batch axis'} of the relevance of shape ${shape(relevance)}`,
      where,
      fix: `Use an axis from ${batchRank} to ${relevance.rank - 1} (or -1 for channels last).`,
    });
  }
  if (labels.shape.join(',') !== batchShape.join(',')) {
    throw new ShapeMismatchError({
      what: `The labels at ${formatKey(config.labelsKey)} have shape ${shape(labels)}, not the batch shape [${batchShape.join(', ')}]`,
      where,
      fix: 'Give one binary label per sample, shaped like the batch.',
    });
  }
  const rows = batchShape.reduce((total, size) => total * size, 1);
  const [flatRelevance, flatLabels] = tf.tidy(() => [
    tf.reshape(relevance, [rows, ...relevance.shape.slice(batchRank)]),
    tf.reshape(labels, [rows]),
  ]);
  let selection;
  try {
    selection = relMaxAt(
      flatRelevance,
      flatLabels,
      { direction: config.direction, channelAxis: axis - batchRank + 1 },
      where,
    );
  } finally {
    tf.dispose([flatRelevance, flatLabels]);
  }
  const channels = selection.scores.length;
  const perChannel = (values: Float32Array): tf.Tensor =>
    tf.tidy(() => tf.broadcastTo(tf.tensor1d(values), [...batchShape, channels]));
  const entries: [KeyPath, tf.Tensor][] = [];
  try {
    const values: Record<(typeof outNames)[number], () => tf.Tensor> = {
      positive_mean: () => perChannel(selection.positiveMean),
      negative_mean: () => perChannel(selection.negativeMean),
      scores: () => perChannel(selection.scores),
      channel: () => tf.fill([...batchShape], selection.channel, 'int32'),
      direction: () => tf.fill([...batchShape], selection.direction, 'int32'),
      score: () => tf.fill([...batchShape], selection.score, 'float32'),
    };
    for (const name of outNames) entries.push([joinKeys(config.outKey, [name]), values[name]()]);
    return new TensorDict(entries, { batchShape });
  } catch (error) {
    tf.dispose(entries.map(([, tensor]) => tensor));
    throw error;
  }
}
