import { TensorDict } from '@tdhook/core';

import type { ActivationSink } from './activation-sink.js';

/**
 * The default sink of {@link cacheDataset}: keeps every batch's rows and concatenates them at the end into one
 * TensorDict `[rows, ...]`, which the caller owns. Memory grows with the dataset: for datasets larger than
 * memory, cache to disk (`diskActivationSink` from `@tdhook/probing/node`).
 *
 * @example
 * const cached = await cacheDataset(model, batches, { select: 'fc1', sink: memoryActivationSink() });
 * cached.getTensor('fc1'); // [rows, 64]
 */
export function memoryActivationSink(): ActivationSink<TensorDict> {
  const parts: TensorDict[] = [];
  const release = (): void => {
    for (const part of parts.splice(0)) part.dispose();
  };
  return {
    open: () => Promise.resolve(0),
    write: (rows) => {
      parts.push(rows);
      return Promise.resolve();
    },
    finish: () => {
      try {
        return Promise.resolve(
          parts.length === 0 ? new TensorDict({}, { batchShape: [0] }) : TensorDict.concat(parts),
        );
      } finally {
        release();
      }
    },
    abort: () => {
      release();
      return Promise.resolve();
    },
  };
}
