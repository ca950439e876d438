// Wall time of a 64-token greedy continuation with and without the key/value cache. A measurement, not a timed
// test: it asserts nothing about speed and runs only on request:
//   TDHOOK_MEASURE_GENERATION=1 TDHOOK_TEST_BACKEND=wasm pnpm exec vitest run --configLoader runner test/generation-timing.test.ts
// It prints a table for docs/generation.md.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

import { generate, HookedTransformer, loadGpt2Checkpoint, type TransformerConfig } from '../src/index.js';
import { fixtureDirectory } from './model-fixture.js';

const measure = process.env['TDHOOK_MEASURE_GENERATION'] === '1';
const runs = 3;

async function timeRuns(
  model: HookedTransformer,
  promptLength: number,
  count: number,
  useKvCache: boolean,
): Promise<number> {
  const prompt = tf.tensor2d(
    [Array.from({ length: promptLength }, (_, i) => (i * 7 + 3) % model.config.dVocab)],
    [1, promptLength],
    'int32',
  );
  try {
    await generate(model, prompt, { maxNewTokens: 2, useKvCache }); // warm-up: kernels, wasm compilation
    const times: number[] = [];
    for (let run = 0; run < runs; run++) {
      const start = performance.now();
      const { newTokens } = await generate(model, prompt, { maxNewTokens: count, useKvCache });
      times.push(performance.now() - start);
      expect(newTokens[0]).toHaveLength(count);
    }
    return times.sort((a, b) => a - b)[Math.floor(runs / 2)] ?? NaN;
  } finally {
    prompt.dispose();
  }
}

describe.skipIf(!measure)('generation wall time (median of 3)', () => {
  it('with and without the key/value cache', { timeout: 600_000 }, async () => {
    const rows: string[] = [];
    console.log(
      '| model | backend | prompt + new | KV cache | no cache | speed-up |\n|---|---|---|---|---|---|',
    );
    const row = async (
      label: string,
      model: HookedTransformer,
      promptLength: number,
      newTokens: number,
    ): Promise<void> => {
      const cached = await timeRuns(model, promptLength, newTokens, true);
      const uncached = await timeRuns(model, promptLength, newTokens, false);
      rows.push(
        `| ${label} | ${tf.getBackend()} | ${promptLength} + ${newTokens} | ${cached.toFixed(0)} ms | ${uncached.toFixed(0)} ms | ${(uncached / cached).toFixed(1)}× |`,
      );
      console.log(rows[rows.length - 1]); // as it comes: the cpu backend is slow
    };
    const { model: tiny } = await loadGpt2Checkpoint(fixtureDirectory);
    await row('gpt2-tiny (2 layers, d 64, nCtx 32)', tiny, 8, 24);
    tiny.dispose();
    const configs: [string, TransformerConfig][] = [
      ['gpt2-tiny sizes, nCtx 128, random', { nLayers: 2, dModel: 64, nHeads: 4, nCtx: 128, dVocab: 96 }],
      [
        '6 layers, d 384, 6 heads, vocab 8192, random',
        { nLayers: 6, dModel: 384, nHeads: 6, nCtx: 128, dVocab: 8192 },
      ],
    ];
    for (const [label, config] of configs) {
      const model = HookedTransformer.create(config, { seed: 1 });
      await row(label, model, 8, 64);
      model.dispose();
    }
  });
});
