import * as tf from '@tensorflow/tfjs-core';

import { InvalidValueError, ShapeMismatchError } from '@tdhook/core';
import { isTensor } from '@tdhook/core/plugin';

import { checkAxisOption, checkDirectionName, resolveAxis, show } from './checks.js';

/**
 * Options of {@link relMax}.
 *
 * @example
 * const options: RelMaxOptions = { direction: 'negative', channelAxis: 1 };
 */
export interface RelMaxOptions {
  /**
   * `'positive'`: the channel whose relevance is largest for the concept's examples relative to the others
   * (argmax of the scores); `'negative'`: the smallest (argmin). Default `'positive'`.
   */
  readonly direction?: 'positive' | 'negative';
  /** The channel axis of the relevance (not the batch axis 0); negative counts from the end. Default `-1`. */
  readonly channelAxis?: number;
}

/**
 * What {@link relMax} returns: the selected channel and the per-channel statistics, as plain numbers.
 *
 * @example
 * const { channel, direction, score, scores }: ConceptSelectionResult = relMax(relevance, labels);
 */
export interface ConceptSelectionResult {
  /** The selected channel: argmax of `scores` (argmin for `'negative'`); the first one on ties. */
  readonly channel: number;
  /** `1` for `'positive'`, `-1` for `'negative'`. */
  readonly direction: 1 | -1;
  /** `scores[channel]`. */
  readonly score: number;
  /** `positiveMean − negativeMean`, one per channel. */
  readonly scores: Float32Array;
  /** Mean over the concept's examples (label 1) of |Σ relevance| per channel. */
  readonly positiveMean: Float32Array;
  /** Mean over the other examples (label 0) of |Σ relevance| per channel. */
  readonly negativeMean: Float32Array;
}

/** Binary labels as 0/1 numbers, checked against the batch size. */
function readLabels(labels: unknown, rows: number, where: string): number[] {
  let values: ArrayLike<unknown>;
  if (isTensor(labels)) {
    if (labels.rank !== 1 || labels.shape[0] !== rows) {
      throw new ShapeMismatchError({
        what: `labels have shape [${labels.shape.join(', ')}], but the relevance has ${rows} samples`,
        where,
        fix: `Give one label per sample: shape [${rows}].`,
      });
    }
    values = labels.dataSync();
  } else if (Array.isArray(labels)) {
    if (labels.length !== rows) {
      throw new ShapeMismatchError({
        what: `${labels.length} labels for ${rows} samples`,
        where,
        fix: `Give one label per sample: ${rows} labels.`,
      });
    }
    values = labels;
  } else {
    throw new InvalidValueError({
      what: `labels must be a tensor or an array of 0/1 (or booleans), got ${show(labels)}`,
      where,
    });
  }
  const binary: number[] = [];
  for (let row = 0; row < rows; row++) {
    const value = values[row];
    if (value === 1 || value === true) binary.push(1);
    else if (value === 0 || value === false) binary.push(0);
    else {
      throw new InvalidValueError({
        what: `labels must be binary (0/1 or booleans), but label ${row} is ${show(value)}`,
        where,
        fix: 'Mark the examples of the concept with 1 and the others with 0.',
      });
    }
  }
  const positives = binary.reduce((total, value) => total + value, 0);
  if (positives === 0 || positives === rows) {
    throw new InvalidValueError({
      what: `labels must contain both classes, but all ${rows} are ${positives === 0 ? '0' : '1'}`,
      where,
      fix: 'Include examples with the concept (1) and without it (0) in the batch.',
    });
  }
  return binary;
}

/** RelMax on checked inputs; `where` names the caller in errors. */
export function relMaxAt(
  relevance: unknown,
  labels: unknown,
  options: RelMaxOptions,
  where: string,
): ConceptSelectionResult {
  if (typeof options !== 'object' || (options as unknown) === null) {
    throw new InvalidValueError({
      what: 'Options must be an object',
      where,
      fix: 'Pass {} for the defaults.',
    });
  }
  const direction = checkDirectionName(options.direction, where);
  const axisOption = checkAxisOption(options.channelAxis ?? -1, 'channelAxis', where);
  if (!isTensor(relevance)) {
    throw new InvalidValueError({
      what: `relevance must be a tensor, got ${show(relevance)}`,
      where,
      fix: 'Pass the module relevance, e.g. the result of lrp({ modules: [path] }) under ["attr", path].',
    });
  }
  if (relevance.dtype !== 'float32') {
    throw new InvalidValueError({ what: `relevance must be float32, got ${relevance.dtype}`, where });
  }
  if (relevance.rank < 2) {
    throw new ShapeMismatchError({
      what: `relevance has shape [${relevance.shape.join(', ')}]; it needs a batch axis and a channel axis`,
      where,
      fix: 'Pass the relevance of a whole batch, [N, ..., C].',
    });
  }
  const axis = resolveAxis(axisOption, relevance.rank);
  if (axis === undefined || axis === 0) {
    throw new InvalidValueError({
      what: `channelAxis ${axisOption} is ${axis === 0 ? 'the batch axis' : 'out of range'} of relevance of shape [${relevance.shape.join(', ')}]`,
      where,
      fix: `Use an axis from 1 to ${relevance.rank - 1} (or -1 for channels last).`,
    });
  }
  const channels = relevance.shape[axis] ?? 0;
  if (channels === 0) {
    throw new ShapeMismatchError({
      what: `The channel axis ${axis} of relevance of shape [${relevance.shape.join(', ')}] is empty`,
      where,
      fix: 'Select among the channels of a module that has some; check channelAxis.',
    });
  }
  const rows = relevance.shape[0];
  const binary = readLabels(labels, rows, where);
  const finite = tf.tidy(() => tf.all(tf.isFinite(relevance)).dataSync()[0]);
  if (finite !== 1) {
    throw new InvalidValueError({
      what: 'relevance contains NaN or infinite values',
      where,
      fix: 'Check the attribution that produced it (e.g. an LRP stabiliser of 0).',
    });
  }
  const positives = binary.reduce((total, value) => total + value, 0);
  // [2, C]: the positive means, then the negative ones.
  const means = tf.tidy(() => {
    // Signed sums over everything but the batch and the channel axis, then abs: [N, C].
    const others = Array.from({ length: relevance.rank }, (_, index) => index).filter(
      (index) => index !== 0 && index !== axis,
    );
    const summed = others.length === 0 ? relevance : tf.sum(relevance, others);
    const perChannel = tf.abs(summed);
    const weights = (value: number, count: number): tf.Tensor =>
      tf.tensor2d(
        binary.map((label) => (label === value ? 1 / count : 0)),
        [rows, 1],
      );
    return tf.stack([
      tf.sum(tf.mul(perChannel, weights(1, positives)), 0),
      tf.sum(tf.mul(perChannel, weights(0, rows - positives)), 0),
    ]);
  });
  const values = means.dataSync();
  const positiveMean = Float32Array.from(values.subarray(0, channels));
  const negativeMean = Float32Array.from(values.subarray(channels, 2 * channels));
  means.dispose();
  const scores = positiveMean.map((value, index) => value - (negativeMean[index] ?? 0));
  let channel = 0;
  for (let index = 1; index < channels; index++) {
    const value = scores[index] ?? 0;
    const best = scores[channel] ?? 0;
    if (direction === 1 ? value > best : value < best) channel = index;
  }
  return { channel, direction, score: scores[channel] ?? 0, scores, positiveMean, negativeMean };
}

/**
 * RelMax concept selection (Achtibat et al., 2023): which channel of a layer carries a concept, given the
 * layer's relevance for a batch and binary concept labels. Per sample and channel c, the relevance is summed
 * (signed) over every axis but the batch and the channel, and its absolute value taken; the score of c is the
 * mean of that over the concept's examples (label 1) minus the mean over the others (label 0). Returns the
 * argmax channel (argmin with `direction: 'negative'`) and the statistics as plain numbers; no tensor is left
 * behind.
 *
 * @example
 * const relevance = conv2Relevance; // [N, H, W, C], e.g. ['attr', 'conv2'] of lrp({ modules: ['conv2'] })
 * const { channel, score } = relMax(relevance, [1, 1, 0, 0]);
 * const { channel: least } = relMax(relevance, [1, 1, 0, 0], { direction: 'negative' });
 */
export function relMax(
  relevance: tf.Tensor,
  labels: tf.Tensor | readonly (0 | 1 | boolean)[],
  options: RelMaxOptions = {},
): ConceptSelectionResult {
  return relMaxAt(relevance, labels, options, 'attribution/relMax');
}
