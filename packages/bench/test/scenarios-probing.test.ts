// The probing scenarios, set up in-process at small points: the disk cache's two variants write the same
// activations (the hand-written files checked against the model's own prediction), and tdhook's geometry
// estimates equal numpy's (python/probing_geometry.py, when a Python with numpy exists; required where
// TDHOOK_REQUIRE_NUMPY=1). No timings.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { Scenario } from '../src/scenario.js';
import { plainDiskCache, plainDurableDiskCache } from '../src/scenarios/probing-disk-cache-plain.js';
import { probingDiskCache, tdhookDiskCache } from '../src/scenarios/probing-disk-cache.js';
import {
  geometryData,
  probingCka,
  probingInformationImbalance,
  probingTwoNn,
  type ProbingGeometryParams,
} from '../src/scenarios/probing-geometry.js';
import {
  activationBytesPerImage,
  loadMnistCnn,
  mnistBatches,
  type MnistCnn,
} from '../src/scenarios/probing-mnist.js';
import { findNumpyPython, startNumpy } from '../src/scenarios/probing-numpy.js';

const layers = ['conv1', 'pool1', 'conv2', 'pool2', 'flatten', 'fc1', 'logits'];

describe('probing-disk-cache', () => {
  let cnn: MnistCnn;
  let dir: string;
  beforeAll(async () => {
    cnn = await loadMnistCnn();
    dir = mkdtempSync(join(tmpdir(), 'tdhook-bench-test-'));
  });
  afterAll(() => {
    cnn.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('caches every layer: 38,152 bytes of activations per image', () => {
    expect(cnn.layerNames).toEqual(layers);
    expect(activationBytesPerImage(cnn.model)).toBe(4 * (5408 + 1352 + 1936 + 400 + 400 + 32 + 10));
  });

  it('reads MNIST batch by batch: the last batch is what is left', async () => {
    const sizes: number[] = [];
    for await (const { start, images } of mnistBatches(45, 20)) {
      expect(start).toBe(sizes.length * 20);
      sizes.push(images.shape[0]);
      images.dispose();
    }
    expect(sizes).toEqual([20, 20, 5]);
  });

  it('the hand-written loop writes one raw float32 file per layer, the logits equal to model.predict', async () => {
    const out = join(dir, 'plain');
    await plainDiskCache(cnn.model, 45, 20, out);
    expect(readdirSync(out).sort()).toEqual(layers.map((name) => `${name}.f32`).sort());
    const total = layers.reduce((bytes, name) => bytes + statSync(join(out, `${name}.f32`)).size, 0);
    expect(total).toBe(45 * activationBytesPerImage(cnn.model));
    const bytes = readFileSync(join(out, 'logits.f32'));
    const logits = new Float32Array(
      bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength),
    );
    for await (const { images } of mnistBatches(45, 45)) {
      const predicted = tf.tidy(() => (cnn.model.predict(images) as tf.Tensor).dataSync());
      images.dispose();
      expect(logits).toBeCloseToTensor(predicted, { rtol: 1e-5, atol: 1e-5 });
    }
  });

  it('caches the same activations through cacheDataset into safetensors shards as the hand-written loop', async () => {
    const { readActivationCache, readShardManifest } = await import('@tdhook/probing/node');
    const out = join(dir, 'tdhook');
    await tdhookDiskCache(cnn, { images: 45, batch: 20 }, out);
    const manifest = await readShardManifest(out);
    expect([manifest.rows, manifest.complete, manifest.shards.length]).toEqual([45, true, 3]);
    const cached = await readActivationCache(out);
    const plain = join(dir, 'plain-for-tdhook');
    await plainDiskCache(cnn.model, 45, 20, plain);
    try {
      expect(cached.keys().map(String).sort()).toEqual([...layers].sort());
      for (const name of layers) {
        const bytes = readFileSync(join(plain, `${name}.f32`));
        const values = new Float32Array(
          bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength),
        );
        const tensor = cached.getTensor(name);
        expect(tensor.shape[0]).toBe(45);
        expect(values).toBeCloseToTensor(tensor.dataSync(), { rtol: 1e-6, atol: 1e-6 });
      }
    } finally {
      cached.dispose();
    }
  });

  it('the durable hand-written loop writes one file per batch with every layer’s bytes', async () => {
    const out = join(dir, 'plain-fsync');
    await plainDurableDiskCache(cnn.model, 45, 20, out);
    expect(readdirSync(out).sort()).toEqual(['batch-00000.f32', 'batch-00001.f32', 'batch-00002.f32']);
    const perImage = activationBytesPerImage(cnn.model);
    expect(readdirSync(out).map((name) => statSync(join(out, name)).size)).toEqual([
      20 * perImage,
      20 * perImage,
      5 * perImage,
    ]);
    // The last batch's logits are its last 5 × 10 values, equal to the plain loop's last rows.
    const bytes = readFileSync(join(out, 'batch-00002.f32'));
    const last = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    const plainBytes = readFileSync(join(dir, 'plain', 'logits.f32'));
    const plainLogits = new Float32Array(
      plainBytes.buffer.slice(plainBytes.byteOffset, plainBytes.byteOffset + plainBytes.byteLength),
    );
    expect(last.subarray(last.length - 50)).toBeCloseToTensor(plainLogits.subarray(40 * 10), {
      rtol: 0,
      atol: 0,
    });
  });

  it('has the issue’s grid: up to 10,000 images, a quick point for CI', () => {
    expect(probingDiskCache.grid.full.map((point) => point.images)).toContain(10_000);
    expect(probingDiskCache.grid.quick.every((point) => point.images <= 1000)).toBe(true);
  });
});

const numpy = findNumpyPython();
const requireNumpy = process.env['TDHOOK_REQUIRE_NUMPY'] === '1';

describe('probing-geometry', () => {
  it('spans n = 2,000–10,000 and d = 64–768 in the full grid, small n in the quick one', () => {
    for (const scenario of [probingTwoNn, probingCka, probingInformationImbalance]) {
      const ns = scenario.grid.full.map((point) => point.n);
      const ds = scenario.grid.full.map((point) => point.d);
      expect([Math.min(...ns), Math.max(...ns), Math.min(...ds), Math.max(...ds)]).toEqual([
        2000, 10_000, 64, 768,
      ]);
      expect(scenario.grid.quick.every((point) => point.n <= 1000)).toBe(true);
      expect(scenario.baseline).toBe('numpy');
    }
  });

  it('makes the same seeded data in every process', () => {
    const first = geometryData({ n: 20, d: 8 });
    const second = geometryData({ n: 20, d: 8 });
    expect(first.a).toBeCloseToTensor(second.a, { rtol: 0, atol: 0 });
    expect(first.b).toBeCloseToTensor(second.b, { rtol: 0, atol: 0 });
    tf.dispose([first.a, first.b, second.a, second.b]);
  });

  it('finds a Python with numpy where it is required', () => {
    if (!requireNumpy && numpy === null) {
      console.warn(
        'No Python with numpy here: the numpy side of probing-geometry is skipped (a note in the report).',
      );
    }
    if (requireNumpy) expect(numpy).not.toBeNull();
  });

  it.runIf(numpy !== null || requireNumpy)(
    'passes the numpy script’s self-test (its block functions vs brute force)',
    () => {
      const script = fileURLToPath(new URL('../python/probing_geometry.py', import.meta.url));
      const result = spawnSync(numpy ?? 'python3', [script, '--self-test'], { encoding: 'utf8' });
      expect(result.stderr).toBe('');
      expect(result.stdout).toMatch(/^ok: /);
    },
  );

  it.runIf(numpy !== null || requireNumpy)('reports a numpy error as the variant’s error', async () => {
    const process = await startNumpy();
    try {
      await expect(process.request({ op: 'run', measure: 'cka' })).rejects.toThrow(/numpy: KeyError/);
    } finally {
      process.close();
    }
  });

  // tdhook (TF.js, float32) against numpy (float32 products): the same maths, so the same numbers up to
  // float32 rounding; the ranks of the imbalance are whole numbers and agree exactly on these data.
  const cases: [Scenario<ProbingGeometryParams>, number][] = [
    [probingTwoNn, 1e-6],
    [probingCka, 1e-5],
    [probingInformationImbalance, 1e-7],
  ];
  for (const [scenario, tolerance] of cases) {
    it.runIf(numpy !== null || requireNumpy)(`${scenario.id}: tdhook equals numpy`, async () => {
      const point = { n: 2500, d: 16 }; // two blocks of rows on both sides
      const values = async (variant: string): Promise<number[]> => {
        const setup = scenario.variants[variant];
        if (setup === undefined) throw new Error(`no variant ${variant}`);
        const prepared = await setup(point);
        try {
          const result = await prepared.run();
          const tensors = result === undefined ? [] : result instanceof tf.Tensor ? [result] : [...result];
          const data = tensors.flatMap((tensor) => Array.from(tensor.dataSync()));
          tf.dispose(tensors);
          return data;
        } finally {
          prepared.dispose();
        }
      };
      const fromNumpy = await values('numpy');
      const fromTdhook = await values('tdhook');
      expect(fromNumpy.every(Number.isFinite)).toBe(true);
      expect(fromTdhook).toBeCloseToTensor(fromNumpy, { rtol: tolerance, atol: tolerance });
    });
  }
});
