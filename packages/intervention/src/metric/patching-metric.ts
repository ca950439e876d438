import * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError, ShapeMismatchError } from '@tdhook/core';
import { isTensor } from '@tdhook/core/plugin';

/**
 * What a patching experiment measures: a function of the model's output (the first output; all of them in
 * `outputs`, in the model's output order) that returns one number per row, a `[rows]` tensor. It must be
 * differentiable for attribution patching, and must treat rows independently (the grids stack many patched
 * runs in one batch).
 *
 * @example
 * const metric: PatchingMetric = (logits) => tf.sub(
 *   tf.squeeze(tf.slice(logits, [0, 11, 51], [-1, 1, 1]), [1, 2]),
 *   tf.squeeze(tf.slice(logits, [0, 11, 61], [-1, 1, 1]), [1, 2]),
 * );
 */
export type PatchingMetric = (output: tf.Tensor, outputs: readonly tf.Tensor[]) => tf.Tensor;

/**
 * Checks what a metric returned for `rows` rows: a float tensor of shape `[rows]`, else a
 * `ShapeMismatchError` that says what came back and how to reduce it.
 *
 * @example
 * checkMetricValue(metric(logits, [logits]), 8, 'activationPatchingGrid');
 */
export function checkMetricValue(value: unknown, rows: number, where: string): tf.Tensor {
  if (!isTensor(value)) {
    throw new InvalidValueError({
      what: `The metric returned ${typeof value}, not a tensor`,
      where: `${where} metric`,
      fix: 'Return a [rows] tensor: one number per sample.',
    });
  }
  if (value.rank !== 1 || value.shape[0] !== rows || value.dtype !== 'float32') {
    throw new ShapeMismatchError({
      what: `The metric returned a ${value.dtype} tensor of shape [${value.shape.join(', ')}]; one number per sample ([${rows}] float32) is needed`,
      where: `${where} metric`,
      fix:
        value.rank === 0
          ? 'Do not reduce over the batch: return the metric of each sample.'
          : 'Reduce every axis but the first (e.g. select the last position and take a logit difference).',
    });
  }
  return value;
}

/**
 * Options of {@link logitDifference}: the answer and the alternative token, one for all samples or one per
 * sample, at one position (default the last).
 *
 * @example
 * const options: LogitDifferenceOptions = { answer: [51, 7], versus: [61, 9], position: -1 };
 */
export interface LogitDifferenceOptions {
  readonly answer: number | readonly number[];
  readonly versus: number | readonly number[];
  /** The position of `[rows, pos, vocab]` logits; negative counts from the end. Default -1. Ignored for `[rows, vocab]`. */
  readonly position?: number;
}

const where = 'logitDifference';

function checkTokens(value: unknown, name: string): void {
  const tokens: readonly unknown[] = typeof value === 'number' ? [value] : Array.isArray(value) ? value : [];
  if (tokens.length === 0 || !tokens.every((token) => Number.isInteger(token) && (token as number) >= 0)) {
    throw new InvalidValueError({
      what: `${name} must be a token (class) id or a non-empty list of them, whole numbers ≥ 0, got ${JSON.stringify(value)}`,
      where: `${where} ${name}`,
      fix: `E.g. { ${name}: 51 } for all samples, or { ${name}: [51, 7] } per sample.`,
    });
  }
}

function perRow(value: number | readonly number[], rows: number, vocab: number, name: string): number[] {
  const tokens = typeof value === 'number' ? [value] : value;
  const outside = tokens.find((token) => token >= vocab);
  if (outside !== undefined) {
    // oneHot would give a zero row: a silent logit of 0.
    throw new InvalidValueError({
      what: `${name} ${outside} is outside the ${vocab} logits of the output`,
      where: `${where} ${name}`,
      fix: `Use ids from 0 to ${vocab - 1} (the output's last axis).`,
    });
  }
  if (rows % tokens.length !== 0) {
    throw new ShapeMismatchError({
      what: `${name} has ${tokens.length} entries for ${rows} rows`,
      where,
      fix: 'Give one token for all samples, or one per sample.',
    });
  }
  // Stacked patched runs repeat the samples: row r is sample r mod samples.
  return Array.from({ length: rows }, (_, row) => tokens[row % tokens.length] ?? 0);
}

/** The `[rows, vocab]` logits at `position` of `[rows, pos, vocab]` logits; `[rows, vocab]` as they are. */
function logitsAt(output: tf.Tensor, position: number): tf.Tensor {
  if (output.rank === 2) return output;
  if (output.rank !== 3) {
    throw new ShapeMismatchError({
      what: `logitDifference reads [rows, vocab] or [rows, positions, vocab] logits, got shape [${output.shape.join(', ')}]`,
      where,
      fix: 'Write the metric as a function of the output that returns one number per row.',
    });
  }
  const [rows = 0, length = 0] = output.shape;
  const at = position < 0 ? length + position : position;
  if (at < 0 || at >= length) {
    throw new InvalidValueError({
      what: `position ${position} is outside the ${length} positions of the output`,
      where: `${where} position`,
      fix: `Use a position from ${-length} to ${length - 1} (negative counts from the end; default -1).`,
    });
  }
  return tf.reshape(tf.slice(output, [0, at, 0], [rows, 1, -1]), [rows, -1]);
}

/**
 * The usual patching metric: `logits[answer] − logits[versus]` at one position, per row. A one-hot product
 * selects the logits (differentiable on every backend; wasm has no gradient for `gather`). Rows beyond the
 * samples given per-sample tokens repeat them in order, as the grids stack patched copies of the batch.
 * Works on `[rows, positions, vocab]` (a language model) and `[rows, classes]` (a classifier) outputs. Token
 * ids and the position are checked: typed errors when the options are made (not whole numbers ≥ 0) or on
 * the first output (an id outside the vocabulary, a position outside the sequence, another rank).
 *
 * @example
 * const metric = logitDifference({ answer: 51, versus: 61 });
 * metric(logits, [logits]); // [rows]
 */
export function logitDifference(options: LogitDifferenceOptions): PatchingMetric {
  checkTokens(options.answer, 'answer');
  checkTokens(options.versus, 'versus');
  const position = options.position ?? -1;
  if (!Number.isInteger(position)) {
    throw new InvalidValueError({
      what: `position must be a whole number, got ${JSON.stringify(options.position)}`,
      where: `${where} position`,
      fix: 'E.g. position: -1 (the last position, the default).',
    });
  }
  return (output) =>
    tf.tidy(() => {
      const rows = output.shape[0];
      const last = logitsAt(output, position);
      const vocab = last.shape[1] ?? 0;
      const weights = tf.sub(
        tf.oneHot(tf.tensor1d(perRow(options.answer, rows, vocab, 'answer'), 'int32'), vocab),
        tf.oneHot(tf.tensor1d(perRow(options.versus, rows, vocab, 'versus'), 'int32'), vocab),
      );
      // Cast after oneHot: the wasm OneHot kernel of tfjs 4.22 writes integer bits whatever the dtype.
      return tf.sum(tf.mul(last, tf.cast(weights, 'float32')), 1);
    });
}
