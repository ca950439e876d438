// Structured pruning of attention heads on @tdhook/adapter-nlp's transformer (gpt2-tiny: 2 blocks, 4 heads of
// 16): a head is its 16 rows of c_proj's weight [nHeads·dHead, dModel], pruned with
// { axis: 0, groupSize: dHead }. Zeroing them removes the head's contribution exactly as zeroing its hook_z does.
import { join } from 'node:path';

import * as tf from '@tensorflow/tfjs-core';
import { loadGpt2Checkpoint, type HookedTransformer } from '@tdhook/adapter-nlp';
import { restorePatches } from '@tdhook/backend';
import { defaultPatches, installPatches } from '@tdhook/backend/patches';
import { registerHook } from '@tdhook/core';
import { referenceDirectory } from '@tdhook/testing';
import type {} from '@tdhook/testing/vitest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { measureSparsity, pruning } from '../src/index.js';
import { snapshot } from './parameter-snapshot.js';

let model: HookedTransformer;
const tokens = (): tf.Tensor => tf.tensor2d([[5, 17, 3, 40, 22, 9, 61, 2]], [1, 8], 'int32');

beforeAll(async () => {
  await installPatches(tf.getBackend() as 'wasm' | 'cpu', defaultPatches);
  model = (await loadGpt2Checkpoint(join(referenceDirectory(), 'gpt2-tiny'))).model;
});

afterAll(() => {
  model.dispose();
  restorePatches();
});

describe('pruning attention heads (adapter-nlp transformer)', () => {
  it('modules {blocks.0.attn.c_proj: {axis: 0, groupSize: 16, amount: 0.25}} zeroes the head with the smallest L1 norm of its c_proj rows; the logits equal those with that head’s hook_z zeroed; the bias stays', () => {
    const before = snapshot(model);
    const key = 'blocks.0.attn.c_proj.weight';
    const weight = before[key] ?? [];
    expect(weight).toHaveLength(64 * 64);
    const headNorms = [0, 1, 2, 3].map((head) =>
      weight.slice(head * 16 * 64, (head + 1) * 16 * 64).reduce((sum, value) => sum + Math.abs(value), 0),
    );
    const head = headNorms.indexOf(Math.min(...headNorms));
    const input = tokens();
    const ablated = ((): tf.Tensor => {
      const handle = registerHook(model, 'blocks.0.attn.hook_z', 'forward', (z) =>
        tf.mul(z as tf.Tensor, tf.reshape(tf.oneHot(tf.tensor1d([head], 'int32'), 4, 0, 1), [1, 1, 4, 1])),
      );
      try {
        return model.call(input);
      } finally {
        handle.remove();
      }
    })();
    {
      using _prepared = pruning({
        modules: { 'blocks[0].attn.c_proj': { axis: 0, groupSize: 16, amount: 0.25 } },
      }).prepare(model);
      const now = snapshot(model);
      const rows = now[key] ?? [];
      for (let h = 0; h < 4; h += 1) {
        const block = rows.slice(h * 16 * 64, (h + 1) * 16 * 64);
        expect(block.every((value) => value === 0)).toBe(h === head);
      }
      expect(now['blocks.0.attn.c_proj.bias']).toEqual(before['blocks.0.attn.c_proj.bias']);
      expect(measureSparsity(model, { paths: ['blocks.0.attn'] }).zeros).toBe(16 * 64);
      const pruned = model.call(input);
      expect(pruned).toBeCloseToTensor(ablated, { rtol: 1e-5, atol: 1e-5 });
      pruned.dispose();
    }
    expect(snapshot(model)).toEqual(before);
    tf.dispose([input, ablated]);
  });

  it('global magnitude pruning over the transformer (tied embeddings listed once) zeroes exactly the fraction asked; relativePath blocks[1] leaves the rest', () => {
    const before = snapshot(model);
    const size = Object.values(before).reduce((total, values) => total + values.length, 0);
    {
      using _prepared = pruning({ amount: 0.3 }).prepare(model);
      const report = measureSparsity(model);
      expect(report.size).toBe(size);
      expect(report.zeros).toBe(Math.round(0.3 * size));
    }
    {
      using prepared = pruning({ amount: 0.3, relativePath: 'blocks[1]' }).prepare(model);
      expect(prepared.program).toEqual([
        { path: 'blocks[1]', direction: null, operation: 'prune-parameters' },
      ]);
      const now = snapshot(model);
      for (const [key, values] of Object.entries(before)) {
        if (!key.startsWith('blocks.1.')) expect(now[key]).toEqual(values);
      }
      const block = measureSparsity(model, { paths: ['blocks.1'] });
      expect(block.zeros).toBe(Math.round(0.3 * block.size));
    }
    expect(snapshot(model)).toEqual(before);
  });
});
