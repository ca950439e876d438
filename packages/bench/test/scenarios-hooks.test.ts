// The hook scenarios (intervention chains, activation caching, the NLP cache and generation scenarios) and the backend-kernels scenario, set up
// in-process at one small point each: tdhook and the plain baseline compute the same numbers, and every setup
// frees what it made (the shared leak guard runs around each test). No timings.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

import type { Params, Scenario } from '../src/scenario.js';
import { activationCaching } from '../src/scenarios/activation-caching.js';
import { backendKernels, type BackendKernelsParams } from '../src/scenarios/backend-kernels.js';
import { generationKvCache } from '../src/scenarios/generation.js';
import { gpt2Cache, runWithCacheSelection } from '../src/scenarios/gpt2-cache.js';
import { interventionChains } from '../src/scenarios/intervention-chains.js';
import { buildTransformer, plainTransformerForward, tokenIds } from '../src/scenarios/transformer.js';

interface Values {
  readonly shape: number[];
  readonly data: number[];
}

/** Sets a variant up, calls it once, reads what it returned, disposes everything. */
async function runOnce<P extends Params>(
  scenario: Scenario<P>,
  variant: string,
  params: NoInfer<P>,
): Promise<Values[]> {
  const setup = scenario.variants[variant];
  if (setup === undefined) throw new Error(`no variant ${variant}`);
  const prepared = await setup(params);
  try {
    const result = await prepared.run();
    const tensors: readonly tf.Tensor[] =
      result === undefined ? [] : result instanceof tf.Tensor ? [result] : result;
    const values = tensors.map((tensor) => ({ shape: tensor.shape, data: Array.from(tensor.dataSync()) }));
    tf.dispose([...tensors]);
    return values;
  } finally {
    prepared.dispose();
  }
}

function expectSame(actual: readonly Values[], expected: readonly Values[]): void {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((values, index) => {
    expect(values).toBeCloseToTensor(expected[index] ?? [], { rtol: 1e-5, atol: 1e-5 });
  });
}

describe('intervention-chains', () => {
  it('gives the same output through HookSession as with the replacements written inline', async () => {
    const params = { operations: 10, batch: 3 } as const;
    const hooked = await runOnce(interventionChains, 'tdhook', params);
    const plain = await runOnce(interventionChains, 'plain', params);
    expect(hooked.map((values) => values.shape)).toEqual([[3, 10]]);
    expectSame(hooked, plain);
    expect(hooked[0]?.data.every(Number.isFinite)).toBe(true);
  });

  it('changes the output: the replacements take effect', async () => {
    const five = await runOnce(interventionChains, 'tdhook', { operations: 5, batch: 2 });
    const fifty = await runOnce(interventionChains, 'tdhook', { operations: 50, batch: 2 });
    expectSame(fifty, await runOnce(interventionChains, 'plain', { operations: 50, batch: 2 }));
    expect(five[0]?.data).not.toEqual(fifty[0]?.data);
  });

  it('has the full grid of the issue', () => {
    expect(interventionChains.grid.full).toHaveLength(8);
    expect(new Set(interventionChains.grid.full.map((point) => point.operations))).toEqual(
      new Set([5, 10, 25, 50]),
    );
  });
});

describe('activation-caching', () => {
  it('caches the same block outputs with HookSession.capture as the hand-written forward', async () => {
    const params = { batch: 2, blocks: 3 };
    const hooked = await runOnce(activationCaching, 'tdhook', params);
    const plain = await runOnce(activationCaching, 'plain', params);
    // The model output, then one tensor per block.
    expect(hooked.map((values) => values.shape)).toEqual(Array.from({ length: 4 }, () => [2, 32, 64]));
    expectSame(hooked, plain);
    // Distinct tensors: each block changes the hidden state, and the final norm changes the last block's.
    expect(hooked[1]?.data).not.toEqual(hooked[2]?.data);
    expect(hooked[0]?.data).not.toEqual(hooked[3]?.data);
  });

  it('builds a transformer whose blocks are paths and whose plain forward matches model.call', () => {
    const model = buildTransformer({ blocks: 2, maxLength: 8 });
    const ids = tokenIds(2, 8, 1000);
    try {
      expect(model.namedChildren().map(([name]) => name)).toEqual(['embedding', 'blocks', 'norm']);
      expect(model.blocks.items).toHaveLength(2);
      expect(ids.dtype).toBe('int32');
      const called = tf.tidy(() => model.call(ids));
      const plain = tf.tidy(() => plainTransformerForward(model, ids).output);
      expect(called).toBeCloseToTensor(plain, { rtol: 1e-5, atol: 1e-5 });
      tf.dispose([called, plain]);
    } finally {
      model.dispose();
      ids.dispose();
    }
  });
});

describe('backend-kernels', () => {
  const point = (name: BackendKernelsParams['case']): BackendKernelsParams => ({ case: name });

  it.runIf(tf.getBackend() === 'cpu')('refuses on cpu, saying it compares wasm kernels', async () => {
    for (const variant of ['patched', 'stock']) {
      await expect(runOnce(backendKernels, variant, point('mlp-weight-gradients'))).rejects.toThrow(
        /compares patched and stock wasm kernels.*active backend is 'cpu'.*--backend wasm/,
      );
    }
  });

  it.runIf(tf.getBackend() === 'wasm')(
    'gives the same gradients patched and stock where stock wasm has the kernels',
    async () => {
      for (const name of ['mlp-weight-gradients', 'cnn-input-gradients'] as const) {
        const patched = await runOnce(backendKernels, 'patched', point(name));
        const stock = await runOnce(backendKernels, 'stock', point(name));
        expect(patched.length).toBeGreaterThan(0);
        expectSame(patched, stock);
        expect(patched.some((values) => values.data.some((value) => value !== 0))).toBe(true);
      }
    },
    60_000,
  );

  it.runIf(tf.getBackend() === 'wasm')(
    'names the kernel stock wasm lacks, and computes the embedding gradient patched',
    async () => {
      await expect(runOnce(backendKernels, 'stock', point('embedding-gradients'))).rejects.toThrow(
        /Stock wasm has no 'UnsortedSegmentSum' kernel, which embedding-gradients needs/,
      );
      const [gradient] = await runOnce(backendKernels, 'patched', point('embedding-gradients'));
      expect(gradient?.shape).toEqual([5000, 64]);
      // d sum(gather(table, ids)) / d table: one per looked-up row and feature.
      expect(gradient?.data.reduce((sum, value) => sum + value, 0)).toBeCloseTo(512 * 64, 3);
    },
  );
});

describe('gpt2-cache and run-with-cache-selection', () => {
  const point = { vocabulary: 64, layers: 2, width: 128, batch: 2, tokens: 8 } as const;

  it('caches the same tensors, in the same order, through runWithCache as the hand-written GPT-2 forward', async () => {
    const hooked = await runOnce(gpt2Cache, 'tdhook', point);
    const plain = await runOnce(gpt2Cache, 'plain', point);
    // logits, then hook_embed, hook_pos_embed, 17 per block, ln_final's scale and normalized output.
    expect(hooked).toHaveLength(1 + 2 + 17 * 2 + 2);
    expect(hooked[0]?.shape).toEqual([2, 8, 64]);
    expectSame(hooked, plain);
  });

  it('caches only the selection', async () => {
    const patterns = await runOnce(runWithCacheSelection, 'pattern', point);
    expect(patterns.map((values) => values.shape)).toEqual([
      [2, 8, 64],
      [2, 2, 8, 8],
      [2, 2, 8, 8],
    ]);
    const [logits] = await runOnce(runWithCacheSelection, 'forward', point);
    expectSame(patterns.slice(0, 1), [logits ?? { shape: [], data: [] }]);
    expect(await runOnce(runWithCacheSelection, 'blocks-0', point)).toHaveLength(1 + 17);
  });
});

describe('generation-kv-cache', () => {
  it('generates the same greedy tokens with and without the key/value cache', async () => {
    const point = { layers: 2, width: 64, prompt: 4, newTokens: 6 } as const;
    const cached = await runOnce(generationKvCache, 'kv-cache', point);
    expect(cached[0]?.shape).toEqual([1, 10]);
    expect(cached).toEqual(await runOnce(generationKvCache, 'no-cache', point));
  });
});
