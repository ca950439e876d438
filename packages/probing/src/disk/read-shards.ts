import * as tf from '@tensorflow/tfjs-core';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { TensorDict } from '@tdhook/core';
import { isSafetensorsFloatDtype, readSafetensors } from '@tdhook/core/plugin';

import { DiskCacheError } from './disk-cache-error.js';
import { readShardManifest, type ShardEntry, type ShardManifest } from './shard-manifest.js';

async function readShard(folder: string, manifest: ShardManifest, shard: ShardEntry): Promise<TensorDict> {
  const { tensors } = readSafetensors(await readFile(join(folder, shard.file)), { file: shard.file });
  const rows = shard.rows[1] - shard.rows[0];
  const result = new TensorDict({}, { batchShape: [rows] });
  try {
    for (const { key, name, shape, dtype } of manifest.keys) {
      const stored = tensors[name];
      const expected = [rows, ...shape];
      if (stored === undefined || JSON.stringify(stored.shape) !== JSON.stringify(expected)) {
        throw new DiskCacheError('E_CACHE_FOLDER', folder, {
          what: `${shard.file} has no tensor '${name}' of shape [${expected.join(', ')}]`,
          fix: 'The cache was damaged: delete the folder and cache again.',
        });
      }
      result.set(key, tf.tensor(stored.data, expected, isSafetensorsFloatDtype(dtype) ? 'float32' : 'int32'));
    }
    return result;
  } catch (error) {
    result.dispose();
    throw error;
  }
}

/**
 * Streams an activation cache folder back, one shard at a time: each TensorDict holds one shard's rows
 * (`[rows, ...]`, float32 or int32, keyed as they were cached) and is the caller's to dispose; only one shard
 * is in memory at a time. A cache still being written (or whose run stopped) yields the shards it has.
 *
 * @example
 * for await (const shard of readActivationShards('cache/mlp')) {
 *   const fc1 = shard.getTensor('fc1'); // [rows in this shard, 64]
 *   shard.dispose();
 * }
 */
export async function* readActivationShards(folder: string): AsyncGenerator<TensorDict, void, undefined> {
  const manifest = await readShardManifest(folder);
  for (const shard of manifest.shards) yield await readShard(folder, manifest, shard);
}

/**
 * Reads a whole activation cache folder into one TensorDict `[rows, ...]` (every shard concatenated), which
 * the caller owns. For caches larger than memory, stream them with {@link readActivationShards}.
 *
 * @example
 * using cached = await readActivationCache('cache/mlp');
 * cached.getTensor('fc1'); // [rows, 64]
 */
export async function readActivationCache(folder: string): Promise<TensorDict> {
  const parts: TensorDict[] = [];
  try {
    for await (const shard of readActivationShards(folder)) parts.push(shard);
    return parts.length === 0 ? new TensorDict({}, { batchShape: [0] }) : TensorDict.concat(parts);
  } finally {
    for (const part of parts) part.dispose();
  }
}
