import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

import type { JsonValue, KeyPath } from '@tdhook/core';
import type { SafetensorsDtype } from '@tdhook/core/plugin';

import { DiskCacheError } from './disk-cache-error.js';

/** The `format` of every manifest this version writes and reads. */
export const manifestFormat = 'tdhook.activation-shards/1';
/** The manifest's file name in a cache folder. */
export const manifestFile = 'manifest.json';

/**
 * One cached key in a {@link ShardManifest}: its TensorDict key, the tensor name inside the shards, the shape
 * of one row and the stored dtype.
 *
 * @example
 * const entry: ShardKey = { key: ['forward', 'fc1'], name: 'forward/fc1', shape: [64], dtype: 'F32' };
 */
export interface ShardKey {
  readonly key: KeyPath;
  readonly name: string;
  readonly shape: readonly number[];
  readonly dtype: SafetensorsDtype;
}

/**
 * One shard file and the dataset rows it holds, `[start, end)`.
 *
 * @example
 * const shard: ShardEntry = { file: 'shard-00001.safetensors', rows: [512, 1024] };
 */
export interface ShardEntry {
  readonly file: string;
  readonly rows: readonly [number, number];
}

/**
 * `manifest.json` of an activation cache folder: what was cached (the run's configuration), the keys with
 * their row shapes and dtypes, the shards in row order, the rows written so far and whether the run finished.
 * Python reads it with `json.load`; each shard is a plain safetensors file.
 *
 * @example
 * const manifest = await readShardManifest('cache/mnist');
 * manifest.rows; // 10000
 * manifest.shards[0]; // { file: 'shard-00000.safetensors', rows: [0, 512] }
 */
export interface ShardManifest {
  readonly format: typeof manifestFormat;
  readonly config: {
    readonly fingerprint: JsonValue;
    readonly shardRows: number;
    readonly dtype: SafetensorsDtype;
  };
  readonly keys: readonly ShardKey[];
  readonly shards: readonly ShardEntry[];
  readonly rows: number;
  readonly complete: boolean;
}

function malformed(folder: string, what: string): DiskCacheError {
  return new DiskCacheError('E_CACHE_MANIFEST', folder, {
    what,
    fix: `The folder's ${manifestFile} is not one tdhook wrote (or is from another version); cache into a new folder.`,
  });
}

function checkManifest(value: unknown, folder: string): ShardManifest {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw malformed(folder, `${manifestFile} is not a JSON object`);
  }
  const manifest = value as Partial<ShardManifest>;
  if (manifest.format !== manifestFormat) {
    throw malformed(
      folder,
      `${manifestFile} has format ${JSON.stringify(manifest.format)}, not '${manifestFormat}'`,
    );
  }
  if (
    !Array.isArray(manifest.keys) ||
    !Array.isArray(manifest.shards) ||
    typeof manifest.rows !== 'number' ||
    typeof manifest.complete !== 'boolean' ||
    typeof manifest.config !== 'object'
  ) {
    throw malformed(folder, `${manifestFile} lacks keys, shards, rows, complete or config`);
  }
  let next = 0;
  for (const shard of manifest.shards as readonly unknown[]) {
    const { rows, file } = (typeof shard === 'object' && shard !== null ? shard : {}) as Partial<ShardEntry>;
    const [start, end] = Array.isArray(rows) ? rows : [];
    if (
      start !== next ||
      typeof end !== 'number' ||
      !(end > start) ||
      typeof file !== 'string' ||
      !/^shard-\d{5,}\.safetensors$/.test(file)
    ) {
      throw malformed(folder, `${manifestFile} lists shard ${JSON.stringify(shard)} out of row order`);
    }
    next = end;
  }
  if (next !== manifest.rows)
    throw malformed(folder, `${manifestFile}'s shards hold ${next} rows, not ${manifest.rows}`);
  return manifest as ShardManifest;
}

/** The manifest of `folder`, or undefined when there is none yet. */
export async function findShardManifest(folder: string): Promise<ShardManifest | undefined> {
  let text: string;
  try {
    text = await readFile(join(folder, manifestFile), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw malformed(folder, `${manifestFile} is not valid JSON`);
  }
  return checkManifest(json, folder);
}

/**
 * Reads and checks `manifest.json` of an activation cache folder (see {@link ShardManifest}). Throws a
 * {@link DiskCacheError}: `E_CACHE_FOLDER` when there is none, `E_CACHE_MANIFEST` when it is malformed.
 *
 * @example
 * const { keys, rows, complete } = await readShardManifest('cache/mnist');
 */
export async function readShardManifest(folder: string): Promise<ShardManifest> {
  const manifest = await findShardManifest(folder);
  if (manifest === undefined) {
    throw new DiskCacheError('E_CACHE_FOLDER', folder, {
      what: `There is no ${manifestFile}: this is not an activation cache folder`,
      fix: 'Pass the folder given to diskActivationSink.',
    });
  }
  return manifest;
}
