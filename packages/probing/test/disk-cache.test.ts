import * as tf from '@tensorflow/tfjs-core';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { TensorDict } from '@tdhook/core';
import { readSafetensors } from '@tdhook/core/plugin';
import type {} from '@tdhook/testing/vitest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { cacheDataset } from '../src/index.js';
import {
  diskActivationSink,
  readActivationCache,
  readActivationShards,
  readShardManifest,
} from '../src/node.js';
import { inputs, mlp } from './caching-models.js';

function* batches(total: number, size: number, fail?: number): Generator<TensorDict> {
  for (let start = 0, index = 0; start < total; start += size, index += 1) {
    if (index === fail) throw new Error(`source failed at batch ${index}`);
    const rows = Math.min(size, total - start);
    const [input, label] = tf.tidy(() => [
      tf.slice(inputs(total), [start, 0], [rows, -1]),
      tf.range(start, start + rows, 1, 'int32'),
    ]);
    yield new TensorDict({ input, label }, { batchShape: [rows] });
  }
}

async function folderBytes(folder: string): Promise<Record<string, string>> {
  const names = (await readdir(folder)).sort();
  const entries = await Promise.all(
    names.map(async (name) => [name, (await readFile(join(folder, name))).toString('base64')] as const),
  );
  return Object.fromEntries(entries);
}

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'tdhook-disk-cache-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('diskActivationSink: safetensors shards and a manifest', () => {
  it('scenario 116 (a memory-mapped cache becomes shards on disk): one file per shard and a manifest (keys, shapes, dtypes, row ranges); streamed back it equals the in-memory cache', async () => {
    const model = mlp();
    const options = { select: /linear[12]/, passThrough: ['label'] } as const;
    const folder = join(root, 'mlp');
    const manifest = await cacheDataset(model, batches(23, 4), {
      ...options,
      sink: diskActivationSink(folder, { shardRows: 10 }),
    });
    expect(manifest.rows).toBe(23);
    expect(manifest.complete).toBe(true);
    expect(manifest.shards).toEqual([
      { file: 'shard-00000.safetensors', rows: [0, 10] },
      { file: 'shard-00001.safetensors', rows: [10, 20] },
      { file: 'shard-00002.safetensors', rows: [20, 23] },
    ]);
    expect(manifest.keys).toEqual([
      { key: ['linear1'], name: 'linear1', shape: [20], dtype: 'F32' },
      { key: ['linear2'], name: 'linear2', shape: [20], dtype: 'F32' },
      { key: ['label'], name: 'label', shape: [], dtype: 'I32' },
    ]);
    expect(await readShardManifest(folder)).toEqual(manifest);
    expect((await readdir(folder)).sort()).toEqual([
      'manifest.json',
      'shard-00000.safetensors',
      'shard-00001.safetensors',
      'shard-00002.safetensors',
    ]);
    const { tensors, metadata } = readSafetensors(await readFile(join(folder, 'shard-00001.safetensors')));
    expect(metadata).toEqual({ format: 'np', rows: '10:20' });
    expect(tensors['linear1']?.shape).toEqual([10, 20]);

    const inMemory = await cacheDataset(model, batches(23, 4), options);
    const sizes: number[] = [];
    for await (const shard of readActivationShards(folder)) {
      sizes.push(shard.batchShape[0] ?? 0);
      shard.dispose();
    }
    expect(sizes).toEqual([10, 10, 3]);
    const fromDisk = await readActivationCache(folder);
    for (const key of inMemory.keys()) {
      expect(fromDisk.getTensor(key)).toBeCloseToTensor(inMemory.getTensor(key), { rtol: 0, atol: 0 });
      expect(fromDisk.getTensor(key).dtype).toBe(inMemory.getTensor(key).dtype);
    }
    tf.dispose([]);
    fromDisk.dispose();
    inMemory.dispose();
    model.dispose();
  });

  it('stores floats as F16 or BF16 when asked (read back as float32, rounded)', async () => {
    const model = mlp();
    for (const dtype of ['F16', 'BF16'] as const) {
      const folder = join(root, dtype);
      await cacheDataset(model, batches(6, 3), {
        select: 'linear2',
        sink: diskActivationSink(folder, { dtype }),
      });
      const exact = await cacheDataset(model, batches(6, 3), { select: 'linear2' });
      const stored = await readActivationCache(folder);
      expect((await readShardManifest(folder)).keys[0]?.dtype).toBe(dtype);
      expect(stored.getTensor('linear2')).toBeCloseToTensor(exact.getTensor('linear2'), {
        rtol: dtype === 'F16' ? 1e-3 : 8e-3,
        atol: 1e-4,
      });
      stored.dispose();
      exact.dispose();
    }
    model.dispose();
  });

  it('a run whose source throws leaves whole shards only; the re-run resumes (skipping stored rows) and equals an uninterrupted run byte for byte', async () => {
    const model = mlp();
    const options = { select: /linear/, passThrough: ['label'] } as const;
    const whole = join(root, 'whole');
    await cacheDataset(model, batches(30, 4), {
      ...options,
      sink: diskActivationSink(whole, { shardRows: 5 }),
    });

    const resumed = join(root, 'resumed');
    const sink = (): ReturnType<typeof diskActivationSink> => diskActivationSink(resumed, { shardRows: 5 });
    await expect(cacheDataset(model, batches(30, 4, 4), { ...options, sink: sink() })).rejects.toThrow(
      'source failed at batch 4',
    );
    // 16 rows were cached; 15 are in three whole shards, the 16th was buffered and is lost.
    const interrupted = await readShardManifest(resumed);
    expect(interrupted.rows).toBe(15);
    expect(interrupted.complete).toBe(false);
    expect((await readdir(resumed)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
    // What a power cut mid-flush can leave: a shard renamed before the manifest listed it, a temporary file.
    await writeFile(join(resumed, 'shard-00003.safetensors'), 'renamed, never listed');
    await writeFile(join(resumed, 'shard-00009.safetensors'), 'renamed, never listed');
    await writeFile(join(resumed, 'manifest.json.tmp'), '{"torn');

    let runs = 0;
    const counting = (function* () {
      for (const batch of batches(30, 4)) {
        runs += 1;
        yield batch;
      }
    })();
    const progress: number[] = [];
    const manifest = await cacheDataset(model, counting, {
      ...options,
      sink: sink(),
      onProgress: ({ rows, resumedRows }) => {
        progress.push(rows);
        expect(resumedRows).toBe(15);
      },
    });
    expect(runs).toBe(8);
    expect(progress).toEqual([4, 8, 12, 16, 20, 24, 28, 30]);
    expect(manifest.rows).toBe(30);
    expect(await folderBytes(resumed)).toEqual(await folderBytes(whole));
    model.dispose();
  });

  it('refuses to resume with another configuration, or in a folder that is not a cache', async () => {
    const model = mlp();
    const folder = join(root, 'mismatch');
    await cacheDataset(model, batches(4, 4), { select: 'linear1', sink: diskActivationSink(folder) });
    await writeFile(join(folder, 'shard-00001.safetensors.tmp'), 'left by a crash');
    const before = await folderBytes(folder);
    for (const [options, pattern] of [
      [{ select: 'linear2', sink: diskActivationSink(folder) }, /another fingerprint/],
      [{ select: 'linear1', sink: diskActivationSink(folder, { shardRows: 7 }) }, /another shardRows/],
      [{ select: 'linear1', sink: diskActivationSink(folder, { dtype: 'F16' }) }, /another dtype/],
    ] as const) {
      const error: unknown = await cacheDataset(model, batches(4, 4), options).catch(
        (caught: unknown) => caught,
      );
      expect(() => {
        throw error;
      }).toThrowTdhookError('E_CACHE_MISMATCH', pattern);
    }
    expect(await folderBytes(folder)).toEqual(before);
    const stranger = join(root, 'stranger');
    await cacheDataset(model, [], { select: 'linear1', sink: diskActivationSink(stranger) });
    await writeFile(join(stranger, 'notes.txt'), 'mine');
    const error: unknown = await cacheDataset(model, batches(4, 4), {
      select: 'linear1',
      sink: diskActivationSink(stranger),
    }).catch((caught: unknown) => caught);
    expect(() => {
      throw error;
    }).toThrowTdhookError('E_CACHE_FOLDER', /notes\.txt/);
    await expect(readShardManifest(join(root, 'nothing'))).rejects.toThrow(/no manifest\.json/);
    expect(() => diskActivationSink(folder, { shardRows: 0 })).toThrowTdhookError('E_INVALID_VALUE');
    model.dispose();
  });

  it('keeps the tensors alive bounded by one batch while writing shards, whatever the dataset size', async () => {
    const model = mlp();
    const peakFor = async (rows: number): Promise<number> => {
      const before = tf.memory().numTensors;
      let peak = 0;
      const disk = diskActivationSink(join(root, `peak-${rows}`), { shardRows: 6 });
      // Sampled when a batch's rows reach the sink: the batch, its results and the rows are all alive then.
      await cacheDataset(model, batches(rows, 4), {
        select: /linear/,
        sink: {
          ...disk,
          write: (batchRows) => {
            peak = Math.max(peak, tf.memory().numTensors - before);
            return disk.write(batchRows);
          },
        },
      });
      expect(tf.memory().numTensors).toBe(before);
      return peak;
    };
    const few = await peakFor(8);
    expect(few).toBeGreaterThan(0);
    expect(await peakFor(80)).toBe(few);
    model.dispose();
  });
});
