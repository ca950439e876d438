import * as tf from '@tensorflow/tfjs-core';
import {
  formatKey,
  InvalidValueError,
  MissingKeyError,
  type TensorDict,
  toKeyPath,
  type JsonValue,
  type Key,
  type KeyMapping,
  type ModelNode,
} from '@tdhook/core';
import { describeValue, isTensorDict } from '@tdhook/core/plugin';

import { activationCaching } from './activation-caching.js';
import type { ActivationSink } from './activation-sink.js';
import type { ActivationCachingOptions } from './cache-options.js';
import { memoryActivationSink } from './memory-sink.js';

/**
 * How far {@link cacheDataset} has come, reported after every batch.
 *
 * @example
 * const progress: CacheProgress = { batches: 3, rows: 384, totalRows: 10_000, resumedRows: 0 };
 */
export interface CacheProgress {
  /** Batches taken from the source so far (skipped ones of a resumed run included). */
  readonly batches: number;
  /** Rows cached so far, the rows a resumed run found stored included. */
  readonly rows: number;
  /** The dataset's size, when the caller said it. */
  readonly totalRows?: number;
  /** Rows the sink already held when the run started (a resumed run). */
  readonly resumedRows: number;
}

/**
 * Options of {@link cacheDataset}: what to cache (as {@link activationCaching}, without publication keys),
 * the model's keys, data keys to keep next to the activations, progress, and where the rows go.
 *
 * @example
 * const options: CacheDatasetOptions<TensorDict> = { select: /^conv/, passThrough: ['label'], onProgress: console.log };
 */
export interface CacheDatasetOptions<Result> extends Omit<
  ActivationCachingOptions,
  'cacheKey' | 'cache' | 'clearCache'
> {
  /** The model's input keys (as `prepare` takes them). Default `['input']`. */
  readonly inKeys?: KeyMapping;
  /** The model's output keys. Default `['output']`. */
  readonly outKeys?: KeyMapping;
  /** Keys of each batch (labels, ids) stored next to the activations, row by row. Default none. */
  readonly passThrough?: readonly Key[];
  /** Called after every batch. */
  readonly onProgress?: (progress: CacheProgress) => void;
  /** The dataset's size in rows, passed on to `onProgress`. */
  readonly totalRows?: number;
  /** Where the rows go. Default {@link memoryActivationSink}: one TensorDict in memory. */
  readonly sink?: ActivationSink<Result>;
}

const where = 'cacheDataset';
// Where the method publishes inside each batch's result: a private namespace, never a model key.
const publicationKey = '_activations';

function checkBatch(batch: unknown, index: number): TensorDict {
  if (!isTensorDict(batch) || batch.batchShape.length !== 1) {
    throw new InvalidValueError({
      what: `Batch ${index} is ${isTensorDict(batch) ? `a TensorDict with batch shape [${batch.batchShape.join(', ')}]` : 'not a TensorDict'}`,
      where,
      fix: 'Yield TensorDicts with one batch dim (rows), e.g. new TensorDict({ input: x }, { batchShape: [rows] }).',
    });
  }
  return batch;
}

/** The configuration a resumed run must share with the first one (callbacks by presence only). */
function fingerprintOf(
  method: ReturnType<typeof activationCaching>,
  options: CacheDatasetOptions<unknown>,
  passThrough: readonly Key[],
): JsonValue {
  const { select, directions, nestedKeys } = method.options;
  return describeValue({
    select,
    directions,
    nestedKeys,
    passThrough: passThrough.map((key) => toKeyPath(key)),
    inKeys: options.inKeys ?? ['input'],
    outKeys: options.outKeys ?? ['output'],
    callback: options.callback === undefined ? null : 'custom',
    objective: options.objective === undefined ? null : 'custom',
  });
}

/** The cached rows of one batch: the activations, then the pass-through keys; the caller owns it. */
function rowsOf(result: TensorDict, input: TensorDict, passThrough: readonly Key[]): TensorDict {
  // New handles on the published activations' data (update would copy them on the wasm backend).
  const rows = result.getDict(publicationKey).apply((tensor) => tf.reshape(tensor, tensor.shape));
  try {
    for (const key of passThrough) {
      if (!input.has(key)) {
        throw new MissingKeyError({
          what: `The batch has no ${formatKey(key)} to pass through`,
          where: `${where} passThrough`,
          fix: 'Add it to every batch, or remove it from passThrough.',
        });
      }
      const picked = input.select(key);
      try {
        rows.update(picked);
      } finally {
        picked.dispose();
      }
    }
    return rows;
  } catch (error) {
    rows.dispose();
    throw error;
  }
}

/**
 * Caches activations over a whole dataset, batch by batch: each batch is run through
 * {@link activationCaching} (same selection, directions and keys; the activations are keyed `path` or
 * `[direction, path]` at the top level), and its rows go to `sink`, which by default concatenates them in
 * memory into one TensorDict `[rows, ...]`. Only one batch's tensors are alive at a time (plus what the sink
 * keeps). `batches` is any iterable or async iterable of TensorDicts with one batch dim, in a fixed order.
 * A sink that stored rows before (a resumed disk cache) has them skipped: batches wholly before that point
 * are not run. The model is restored when the run ends, also after an error (then the sink keeps what it
 * stored, for a resume).
 *
 * Ownership: cacheDataset takes over every batch it receives and disposes it (cached, skipped or refused), as
 * a `tf.data` pipeline does, so that a generator may yield fresh TensorDicts. An array's batches are disposed
 * too: pass clones of those you still need. After a failure, the batches not yet received stay the caller's
 * (a generator's `finally` blocks run, since the loop closes it).
 *
 * @example
 * function* batches() {
 *   for (let start = 0; start < 1000; start += 100) yield new TensorDict({ input: images(start, 100) }, { batchShape: [100] });
 * }
 * using cached = await cacheDataset(model, batches(), { select: /^fc\d$/, onProgress: ({ rows }) => console.log(rows) });
 * cached.getTensor('fc1'); // [1000, 64]
 */
export async function cacheDataset<Result = TensorDict>(
  model: ModelNode,
  batches: Iterable<TensorDict> | AsyncIterable<TensorDict>,
  options: CacheDatasetOptions<Result>,
): Promise<Result> {
  const { inKeys, outKeys, passThrough = [], onProgress, totalRows, sink: given, ...caching } = options;
  const method = activationCaching({ ...caching, cacheKey: publicationKey });
  const sink = given ?? (memoryActivationSink() as unknown as ActivationSink<Result>);
  const iterable = batches as Partial<Iterable<TensorDict> & AsyncIterable<TensorDict>>;
  if (
    (typeof batches !== 'object' && typeof batches !== 'function') ||
    (batches as unknown) === null ||
    (typeof iterable[Symbol.iterator] !== 'function' && typeof iterable[Symbol.asyncIterator] !== 'function')
  ) {
    throw new InvalidValueError({
      what: 'batches is neither an iterable nor an async iterable',
      where,
      fix: 'Pass an array or a (async) generator of TensorDicts.',
    });
  }
  const prepared = method.prepare(model, {
    ...(inKeys === undefined ? {} : { inKeys }),
    ...(outKeys === undefined ? {} : { outKeys }),
  });
  let opened = false;
  try {
    const resumedRows = await sink.open({ fingerprint: fingerprintOf(method, options, passThrough) });
    opened = true;
    let rows = 0;
    let count = 0;
    for await (const received of batches) {
      let batch: TensorDict | undefined;
      try {
        batch = checkBatch(received, count);
        const size = batch.batchShape[0] ?? 0;
        const skip = Math.min(size, Math.max(0, resumedRows - rows));
        if (skip < size) {
          const input = skip > 0 ? batch.slice(skip) : batch;
          try {
            const result = prepared.run(input);
            let rows: TensorDict;
            try {
              rows = rowsOf(result, input, passThrough);
            } finally {
              result.dispose(); // before the sink's write: the model outputs need not wait for it
            }
            await sink.write(rows);
          } finally {
            if (input !== batch) input.dispose();
          }
        }
        rows += size;
        count += 1;
      } finally {
        // Taken over, even when refused.
        if (isTensorDict(received)) received.dispose();
      }
      onProgress?.({
        batches: count,
        rows,
        ...(totalRows === undefined ? {} : { totalRows }),
        resumedRows,
      });
    }
    prepared.restore();
    return await sink.finish();
  } catch (error) {
    prepared.restore();
    if (opened) await sink.abort();
    throw error;
  }
}
