// Where training and metrics read rows from: one TensorDict in memory (an ActivationCache's contents, a
// cacheDataset result) or a fresh stream of TensorDicts per pass (disk shards), cut into batches of the same
// rows either way.
import * as tf from '@tensorflow/tfjs-core';
import {
  formatKey,
  InvalidValueError,
  MissingKeyError,
  ShapeMismatchError,
  type Key,
  type TensorDict,
} from '@tdhook/core';
import { isTensorDict } from '@tdhook/core/plugin';

/**
 * Activations to train on or measure: a TensorDict in memory, or a function returning a fresh stream of
 * TensorDicts (called once per epoch), e.g. `() => readActivationShards(folder)` from `@tdhook/probing/node`.
 * Each tensor is `[..., width]`: every leading axis counts as rows. Streamed dicts are disposed by the reader.
 *
 * @example
 * const inMemory: DictionaryData = cache;                                 // TensorDict { resid: [n, 128] }
 * const fromDisk: DictionaryData = () => readActivationShards('cache/resid');
 */
export type DictionaryData = TensorDict | (() => AsyncIterable<TensorDict>);

/** One stream's keys and widths: the input, and the target of a transcoder. */
export interface RowSpec {
  readonly inputKey: Key;
  readonly inputSize: number;
  readonly targetKey?: Key;
  readonly targetSize?: number;
  readonly where: string;
}

/** A batch of rows, owned by whoever takes it. */
export interface RowBatch {
  readonly input: tf.Tensor2D;
  readonly target?: tf.Tensor2D;
}

function column(dict: TensorDict, key: Key, width: number, name: string, where: string): tf.Tensor2D {
  if (!dict.has(key)) {
    const known = dict
      .keys({ leavesOnly: true })
      .map((k) => formatKey(k))
      .join(', ');
    throw new MissingKeyError({
      what: `The data has no entry ${formatKey(key)}`,
      where: `${where} (${name})`,
      fix: `Pass one of its keys: ${known || '(none)'}.`,
    });
  }
  const stored = dict.get(key);
  if (!(stored instanceof tf.Tensor)) {
    throw new InvalidValueError({
      what: `The data's entry ${formatKey(key)} is not a tensor`,
      where: `${where} (${name})`,
      fix: 'Point the key at the cached activations.',
    });
  }
  const value: tf.Tensor = stored;
  if (value.rank < 2 || value.shape[value.rank - 1] !== width) {
    throw new ShapeMismatchError({
      what: `The data's entry ${formatKey(key)} is [${value.shape.join(', ')}], expected [rows, ..., ${String(width)}]`,
      where: `${where} (${name})`,
      fix: `Cache activations of width ${String(width)}, or build the dictionary with that width.`,
    });
  }
  return tf.tidy(() => {
    const float = value.dtype === 'float32' ? value : tf.cast(value, 'float32');
    return tf.reshape(float, [-1, width]);
  });
}

/** The rows of one dict, `[n, width]` each (new tensors the caller owns), checked against `spec`. */
export function readRows(dict: TensorDict, spec: RowSpec): RowBatch {
  if (!isTensorDict(dict)) {
    throw new InvalidValueError({
      what: 'data must be a TensorDict or a function returning an AsyncIterable of TensorDicts',
      where: spec.where,
      fix: 'Pass the cache (a TensorDict), or () => readActivationShards(folder).',
    });
  }
  const input = column(dict, spec.inputKey, spec.inputSize, 'input', spec.where);
  if (spec.targetKey === undefined) return { input };
  let target: tf.Tensor2D;
  try {
    target = column(dict, spec.targetKey, spec.targetSize ?? 0, 'target', spec.where);
  } catch (error) {
    input.dispose();
    throw error;
  }
  if (target.shape[0] !== input.shape[0]) {
    const rows = `${String(input.shape[0])} and ${String(target.shape[0])}`;
    tf.dispose([input, target]);
    throw new ShapeMismatchError({
      what: `The input and target entries hold different numbers of rows (${rows})`,
      where: spec.where,
      fix: 'Cache the input and target from the same runs.',
    });
  }
  return { input, target };
}

/** Throws an InvalidValueError when any value of `batch` is NaN or infinite. */
export function checkFinite(batch: RowBatch, where: string): void {
  const finite = tf.tidy(() => {
    const parts = batch.target === undefined ? [batch.input] : [batch.input, batch.target];
    return parts.every((part) => tf.all(tf.isFinite(part)).dataSync()[0] === 1);
  });
  if (!finite) {
    throw new InvalidValueError({
      what: 'The data holds NaN or infinite values',
      where,
      fix: 'Clean the cached activations (or cache them again) before training.',
    });
  }
}

/** A permutation of 0…n−1 drawn from `random` (Fisher–Yates), or the identity when `random` is undefined. */
function order(n: number, random: (() => number) | undefined): Int32Array {
  const out = Int32Array.from({ length: n }, (_, i) => i);
  if (random === undefined) return out;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const swap = out[i] ?? 0;
    out[i] = out[j] ?? 0;
    out[j] = swap;
  }
  return out;
}

function gatherRows(batch: RowBatch, indices: Int32Array): RowBatch {
  return tf.tidy(() => {
    const at = tf.tensor1d(indices, 'int32');
    const input = tf.gather(batch.input, at);
    return batch.target === undefined ? { input } : { input, target: tf.gather(batch.target, at) };
  });
}

function concatRows(a: RowBatch, b: RowBatch): RowBatch {
  return tf.tidy(() => {
    const input = tf.concat([a.input, b.input]);
    return a.target === undefined || b.target === undefined
      ? { input }
      : { input, target: tf.concat([a.target, b.target]) };
  });
}

const disposeBatch = (batch: RowBatch | undefined): void => {
  if (batch !== undefined)
    tf.dispose(batch.target === undefined ? [batch.input] : [batch.input, batch.target]);
};
export { disposeBatch };

/**
 * The batches of one pass over `data`: rows of each dict in order (or shuffled within the dict with
 * `random`), cut into `batchSize` rows across dict boundaries, the last batch possibly smaller. So a TensorDict
 * and the same rows streamed in shards give the same batches when not shuffled. Each yielded batch is the
 * caller's; `checkEach` validates every streamed dict's values.
 */
export async function* batchesOf(
  data: DictionaryData,
  spec: RowSpec,
  batchSize: number,
  random: (() => number) | undefined,
  checkEach: boolean,
): AsyncGenerator<RowBatch, void, undefined> {
  const source: Iterable<TensorDict> | AsyncIterable<TensorDict> = isTensorDict(data) ? [data] : data();
  const streamed = !isTensorDict(data);
  let pending: RowBatch | undefined;
  try {
    for await (const dict of source) {
      let rows: RowBatch;
      try {
        rows = readRows(dict, spec);
      } finally {
        if (streamed) dict.dispose();
      }
      try {
        if (checkEach) checkFinite(rows, spec.where);
        const n = rows.input.shape[0];
        const indices = order(n, random);
        let start = 0;
        if (pending !== undefined) {
          const take = Math.min(batchSize - pending.input.shape[0], n);
          const head = gatherRows(rows, indices.subarray(0, take));
          const joined = concatRows(pending, head);
          disposeBatch(head);
          disposeBatch(pending);
          pending = undefined;
          start = take;
          if (joined.input.shape[0] < batchSize) pending = joined;
          else yield joined;
        }
        for (; start + batchSize <= n; start += batchSize) {
          yield gatherRows(rows, indices.subarray(start, start + batchSize));
        }
        if (start < n) pending = gatherRows(rows, indices.subarray(start, n));
      } finally {
        disposeBatch(rows);
      }
    }
    if (pending !== undefined) {
      const last = pending;
      pending = undefined;
      yield last;
    }
  } finally {
    disposeBatch(pending);
  }
}
