// The shards read back in Python: numpy alone (parse the 8-byte header length, the JSON header,
// np.frombuffer per tensor; read-shards.py) gives exactly the values TypeScript cached. Runs with
// /usr/bin/python3 or python3 when it can import numpy; skips with a note otherwise, and fails instead when
// TDHOOK_REQUIRE_NUMPY=1 (set by .ci/run, which installs python3-numpy).
import * as tf from '@tensorflow/tfjs-core';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { TensorDict } from '@tdhook/core';
import type {} from '@tdhook/testing/vitest';
import { describe, expect, it } from 'vitest';

import { cacheDataset } from '../src/index.js';
import { diskActivationSink, readActivationCache } from '../src/node.js';
import { inputs, mlp } from './caching-models.js';

const script = join(dirname(fileURLToPath(import.meta.url)), 'read-shards.py');
const required = process.env.TDHOOK_REQUIRE_NUMPY === '1';

/** The first Python that can import numpy, or undefined. */
function findPython(): string | undefined {
  for (const candidate of ['/usr/bin/python3', 'python3']) {
    const probe = spawnSync(candidate, ['-c', 'import numpy'], { encoding: 'utf8' });
    if (probe.status === 0) return candidate;
  }
  return undefined;
}

const python = findPython();
if (python === undefined && !required) {
  console.warn(
    'disk-python.test.ts: skipped, no python3 with numpy here (apt-get install python3-numpy; TDHOOK_REQUIRE_NUMPY=1 makes this a failure).',
  );
}

function* batches(total: number, size: number): Generator<TensorDict> {
  for (let start = 0; start < total; start += size) {
    const rows = Math.min(size, total - start);
    const [input, label] = tf.tidy(() => [
      tf.slice(inputs(total), [start, 0], [rows, -1]),
      tf.range(start, start + rows, 1, 'int32'),
    ]);
    yield new TensorDict({ input, label }, { batchShape: [rows] });
  }
}

describe('activation shards read back in Python with numpy', () => {
  it.runIf(python === undefined && required)('TDHOOK_REQUIRE_NUMPY=1 but no python3 can import numpy', () => {
    expect.fail('Install numpy for /usr/bin/python3 (Debian: apt-get install python3-numpy).');
  });

  it.runIf(python !== undefined)(
    'numpy (no safetensors package) reads F32, F16, BF16 and I32 shards to the values TypeScript cached',
    async () => {
      const root = await mkdtemp(join(tmpdir(), 'tdhook-python-'));
      const model = mlp();
      try {
        for (const dtype of ['F32', 'F16', 'BF16'] as const) {
          const folder = join(root, dtype);
          await cacheDataset(model, batches(13, 4), {
            select: ['linear1', { path: 'linear3', indices: [1, 4] }],
            directions: ['forward'],
            nestedKeys: true,
            passThrough: ['label'],
            sink: diskActivationSink(folder, { shardRows: 5, dtype }),
          });
          const run = spawnSync(python as string, [script, folder], { encoding: 'utf8', maxBuffer: 1 << 26 });
          expect(run.stderr).toBe('');
          expect(run.status).toBe(0);
          const fromPython = JSON.parse(run.stdout) as Record<string, { shape: number[]; values: number[] }>;
          const fromTs = await readActivationCache(folder);
          try {
            expect(Object.keys(fromPython)).toEqual(['forward/linear1', 'forward/linear3', 'label']);
            for (const key of fromTs.keys()) {
              const tensor = fromTs.getTensor(key);
              const entry = fromPython[key.join('/')];
              expect(entry?.shape).toEqual(tensor.shape);
              expect(entry?.values).toEqual(Array.from(tensor.dataSync()));
            }
          } finally {
            fromTs.dispose();
          }
        }
      } finally {
        model.dispose();
        await rm(root, { recursive: true, force: true });
      }
    },
    60_000,
  );
});
