import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';

import { formatKey, InvalidValueError, type TensorDict } from '@tdhook/core';
import { writeSafetensors, type SafetensorsDtype } from '@tdhook/core/plugin';

import type { ActivationSink, ActivationSinkConfig } from '../caching/activation-sink.js';
import { syncFolder, writeFileAtomic } from './atomic-file.js';
import { DiskCacheError } from './disk-cache-error.js';
import {
  findShardManifest,
  manifestFile,
  manifestFormat,
  type ShardEntry,
  type ShardKey,
  type ShardManifest,
} from './shard-manifest.js';

/**
 * Options of {@link diskActivationSink}.
 *
 * @example
 * const options: DiskActivationSinkOptions = { shardRows: 1024, dtype: 'F16' };
 */
export interface DiskActivationSinkOptions {
  /** Rows per shard file (the last one may hold fewer). Default 512. */
  readonly shardRows?: number;
  /** How float tensors are stored: `'F32'` (default), `'F16'` or `'BF16'` (read back as float32). Integers are I32. */
  readonly dtype?: 'F32' | 'F16' | 'BF16';
}

const shardName = (index: number): string => `shard-${String(index).padStart(5, '0')}.safetensors`;
const ours = /^(?:shard-\d{5,}\.safetensors|manifest\.json)(?:\.tmp)?$/;

interface Buffered {
  readonly key: ShardKey;
  readonly rowSize: number;
  readonly data: Float32Array | Int32Array;
}

function checkOptions(options: DiskActivationSinkOptions): { shardRows: number; dtype: SafetensorsDtype } {
  const { shardRows = 512, dtype = 'F32' } = options;
  if (!Number.isSafeInteger(shardRows) || shardRows < 1) {
    throw new InvalidValueError({
      what: `shardRows must be a whole number ≥ 1, got ${String(shardRows)}`,
      where: 'diskActivationSink',
    });
  }
  if (!['F32', 'F16', 'BF16'].includes(dtype)) {
    throw new InvalidValueError({
      what: `dtype must be 'F32', 'F16' or 'BF16', got ${JSON.stringify(dtype)}`,
      where: 'diskActivationSink',
    });
  }
  return { shardRows, dtype };
}

function layoutOf(rows: TensorDict, dtype: SafetensorsDtype, folder: string): ShardKey[] {
  const keys = rows.keys().map((key) => {
    const tensor = rows.getTensor(key);
    if (tensor.dtype !== 'float32' && tensor.dtype !== 'int32') {
      throw new InvalidValueError({
        what: `The cached value ${formatKey(key)} is ${tensor.dtype}; shards hold float32 and int32`,
        where: `diskActivationSink ${folder}`,
        fix: 'Cast it (a cache callback may), or leave it out of passThrough.',
      });
    }
    return {
      key,
      name: key.join('/'),
      shape: tensor.shape.slice(1),
      dtype: tensor.dtype === 'float32' ? dtype : ('I32' as const),
    };
  });
  const names = new Set(keys.map(({ name }) => name));
  if (names.size !== keys.length) {
    throw new InvalidValueError({
      what: 'Two cached keys give the same tensor name once their segments are joined with "/"',
      where: `diskActivationSink ${folder}`,
      fix: 'Use keys whose segments contain no "/".',
    });
  }
  return keys;
}

function sameLayout(a: readonly ShardKey[], b: readonly ShardKey[]): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * Removes what a run that stopped mid-write left (a temporary file, or a shard renamed before the manifest
 * listed it): never part of the cache, and the resumed run writes them again.
 */
async function removeUnlisted(folder: string, manifest: ShardManifest | undefined): Promise<void> {
  const listed = new Set([manifestFile, ...(manifest?.shards ?? []).map(({ file }) => file)]);
  const names = await readdir(folder);
  await Promise.all(names.filter((name) => !listed.has(name)).map((name) => rm(join(folder, name))));
}

async function checkFolder(folder: string, manifest: ShardManifest | undefined): Promise<void> {
  const names = await readdir(folder);
  const stranger = names.find((name) => !ours.test(name));
  if (stranger !== undefined) {
    throw new DiskCacheError('E_CACHE_FOLDER', folder, {
      what: `The folder holds '${stranger}', which is not part of an activation cache`,
      fix: 'Cache into an empty (or new) folder.',
    });
  }
  for (const shard of manifest?.shards ?? []) {
    const found = await stat(join(folder, shard.file)).catch(() => undefined);
    if (found === undefined) {
      throw new DiskCacheError('E_CACHE_FOLDER', folder, {
        what: `The manifest lists ${shard.file}, which is missing`,
        fix: 'The cache was damaged: delete the folder and cache again.',
      });
    }
  }
}

/**
 * An {@link ActivationSink} writing safetensors shards (one file per `shardRows` rows) and a JSON
 * `manifest.json` (keys, row shapes, dtypes, row ranges) into `folder`; `cacheDataset` with it resolves to
 * the manifest. Crash-safe and resumable: each shard goes to a temporary name, is synced and renamed, and
 * only then is the manifest replaced the same way (two file syncs and one folder sync per shard), so a crash
 * leaves whole shards and a manifest that lists only whole shards; a later run with the same configuration
 * removes what the manifest does not list and resumes after the listed rows (rows buffered for an unfinished
 * shard are computed again), and one with another configuration is refused
 * (`DiskCacheError` `E_CACHE_MISMATCH`). Host memory holds one shard's rows at most.
 *
 * @example
 * import { diskActivationSink, readActivationShards } from '@tdhook/probing/node';
 * const manifest = await cacheDataset(model, batches(), { select: /^fc/, sink: diskActivationSink('cache/mlp') });
 * for await (const shard of readActivationShards('cache/mlp')) { ...; shard.dispose(); }
 */
export function diskActivationSink(
  folder: string,
  options: DiskActivationSinkOptions = {},
): ActivationSink<ShardManifest> {
  const { shardRows, dtype } = checkOptions(options);
  let manifest: ShardManifest | undefined;
  let buffers: Buffered[] | undefined;
  let filled = 0;

  const state = (): ShardManifest => {
    if (manifest === undefined) throw new Error('diskActivationSink: open() was not called');
    return manifest;
  };
  // The folder is synced before the manifest's rename: the shard renamed just before is then on disk before
  // any manifest can list it. The manifest's own rename is synced by the next one (or by finish): lost in a
  // power cut, it leaves the previous manifest, and a resumed run computes that shard again.
  const saveManifest = async (next: ShardManifest): Promise<void> => {
    await writeFileAtomic(join(folder, manifestFile), `${JSON.stringify(next, null, 2)}\n`, () =>
      syncFolder(folder),
    );
    manifest = next;
  };
  const allocate = (keys: readonly ShardKey[]): Buffered[] =>
    keys.map((key) => {
      const rowSize = key.shape.reduce((product, size) => product * size, 1);
      const length = rowSize * shardRows;
      return { key, rowSize, data: key.dtype === 'I32' ? new Int32Array(length) : new Float32Array(length) };
    });
  const flush = async (): Promise<void> => {
    const current = state();
    if (filled === 0 || buffers === undefined) return;
    const start = current.rows;
    const end = start + filled;
    const file = shardName(current.shards.length);
    const tensors = Object.fromEntries(
      buffers.map(({ key, rowSize, data }) => [
        key.name,
        { shape: [filled, ...key.shape], data: data.subarray(0, filled * rowSize), dtype: key.dtype },
      ]),
    );
    const bytes = writeSafetensors(tensors, {
      metadata: { format: 'np', rows: `${start}:${end}` },
    });
    await writeFileAtomic(join(folder, file), bytes);
    filled = 0;
    const shard: ShardEntry = { file, rows: [start, end] };
    await saveManifest({ ...current, shards: [...current.shards, shard], rows: end });
  };

  return {
    open: async ({ fingerprint }: ActivationSinkConfig) => {
      await mkdir(folder, { recursive: true });
      const found = await findShardManifest(folder);
      await checkFolder(folder, found);
      const config = { fingerprint, shardRows, dtype };
      if (found !== undefined) {
        const differs = (['fingerprint', 'shardRows', 'dtype'] as const).filter(
          (field) => JSON.stringify(found.config[field]) !== JSON.stringify(config[field]),
        );
        if (differs.length > 0) {
          throw new DiskCacheError('E_CACHE_MISMATCH', folder, {
            what: `The folder holds a cache made with another ${differs.join(', ')} (${differs
              .map(
                (field) =>
                  `${field}: ${JSON.stringify(found.config[field])} there, ${JSON.stringify(config[field])} now`,
              )
              .join('; ')})`,
            fix: 'Resume with the same options, or cache into another folder (or delete this one).',
          });
        }
        await removeUnlisted(folder, found);
        manifest = found;
        buffers = found.keys.length === 0 ? undefined : allocate(found.keys);
        return found.rows;
      }
      await removeUnlisted(folder, undefined);
      await saveManifest({ format: manifestFormat, config, keys: [], shards: [], rows: 0, complete: false });
      return 0;
    },
    write: async (rows: TensorDict) => {
      let values: (Float32Array | Int32Array)[];
      let size: number;
      let layout: ShardKey[];
      try {
        size = rows.batchShape[0] ?? 0;
        layout = layoutOf(rows, dtype, folder);
        values = (await Promise.all(rows.keys().map((key) => rows.getTensor(key).data()))) as (
          Float32Array | Int32Array
        )[];
      } finally {
        rows.dispose();
      }
      const current = state();
      if (current.keys.length === 0) {
        // Saved with the first shard: a manifest without shards needs no keys to resume.
        manifest = { ...current, keys: layout };
        buffers = allocate(layout);
      } else if (!sameLayout(current.keys, layout)) {
        throw new DiskCacheError('E_CACHE_MISMATCH', folder, {
          what: `The rows have keys, shapes or dtypes ${JSON.stringify(layout)}, the cache ${JSON.stringify(current.keys)}`,
          fix: 'Every batch must give the same keys and row shapes as the cache; cache into another folder.',
        });
      }
      const buffered = buffers as Buffered[];
      let done = 0;
      while (done < size) {
        const take = Math.min(size - done, shardRows - filled);
        buffered.forEach(({ rowSize, data }, index) => {
          const source = values[index] as Float32Array | Int32Array;
          data.set(source.subarray(done * rowSize, (done + take) * rowSize), filled * rowSize);
        });
        filled += take;
        done += take;
        if (filled === shardRows) await flush();
      }
    },
    finish: async () => {
      await flush();
      await saveManifest({ ...state(), complete: true });
      await syncFolder(folder); // the complete manifest is on disk when the promise resolves
      return state();
    },
    abort: () => {
      filled = 0;
      return Promise.resolve();
    },
  };
}
