import type { JsonValue, TensorDict } from '@tdhook/core';

/**
 * What {@link cacheDataset} tells a sink before the first batch: a JSON description of the caching
 * configuration (selection, directions, keys, model keys), so that a sink that resumes can check that it
 * continues the same cache.
 *
 * @example
 * const config: ActivationSinkConfig = { fingerprint: { select: [{ path: 'fc1' }], directions: ['forward'] } };
 */
export interface ActivationSinkConfig {
  readonly fingerprint: JsonValue;
}

/**
 * Where {@link cacheDataset} puts the cached rows: in memory ({@link memoryActivationSink}, the default), on
 * disk (`diskActivationSink` from `@tdhook/probing/node`), or anywhere a caller writes one for.
 *
 * @example
 * const counting: ActivationSink<number> = {
 *   open: async () => 0,
 *   write: async (rows) => { total += rows.batchShape[0] ?? 0; rows.dispose(); },
 *   finish: async () => total,
 *   abort: async () => undefined,
 * };
 */
export interface ActivationSink<Result> {
  /** Called once, before the first batch. Resolves to the number of rows already stored (a resumed run skips them). */
  open(config: ActivationSinkConfig): Promise<number>;
  /** Takes over `rows` (one batch dim: the rows, in dataset order, after those already stored) and stores them. */
  write(rows: TensorDict): Promise<void>;
  /** After the last batch: completes the cache and resolves to the sink's result. */
  finish(): Promise<Result>;
  /** After a failure: releases what the sink holds in memory; what it stored stays (a later run resumes). */
  abort(): Promise<void>;
}
