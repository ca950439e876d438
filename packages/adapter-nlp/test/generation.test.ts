// generate() on gpt2-tiny: greedy and sampled, with and without the key/value cache, hooks at every step.
import * as tf from '@tensorflow/tfjs-core';
import { registerHook } from '@tdhook/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {} from '@tdhook/testing/vitest';

import { generate, loadGpt2Checkpoint, type GenerationStep, type HookedTransformer } from '../src/index.js';
import { fixtureDirectory, reference as tinyReference, tensorOf, type Reference } from './model-fixture.js';

let model: HookedTransformer;
let prompt: tf.Tensor2D;
let first: tf.Tensor2D; // the first sequence alone

beforeAll(async () => {
  ({ model } = await loadGpt2Checkpoint(fixtureDirectory));
  const { tokens } = tinyReference().inputs;
  prompt = tf.tensor2d(tokens.data, tokens.shape as [number, number], 'int32'); // 3 sequences of 12
  first = tf.tensor2d([tokens.data[0] ?? []], [1, 12], 'int32');
});
afterAll(() => {
  tf.dispose([prompt, first]);
  model.dispose();
});

const steering = (): Reference['steering'] => tinyReference().steering;

/** Runs `fn` with a forward hook on `path` that adds `vector` (broadcast) to the hook point's output. */
async function withAddedVector<T>(path: string, vector: tf.Tensor, fn: () => Promise<T>): Promise<T> {
  using _hook = registerHook(model, path, 'forward', (output) => tf.add(output as tf.Tensor, vector));
  return await fn();
}

describe('greedy generation', () => {
  it('starts with the argmax of the reference logits at the last position', async () => {
    const { newTokens } = await generate(model, prompt, { maxNewTokens: 1 });
    const logits = tinyReference().forward.logits.data;
    const expected = logits.map((sequence) => {
      const last = sequence[sequence.length - 1] ?? [];
      return [last.indexOf(Math.max(...last))];
    });
    expect(newTokens).toEqual(expected);
  });

  it('gives the same 20 tokens with and without the key/value cache', async () => {
    const cached = await generate(model, prompt, { maxNewTokens: 20 });
    const uncached = await generate(model, prompt, { maxNewTokens: 20, useKvCache: false });
    expect(cached).toEqual(uncached);
    expect(cached.newTokens.map((tokens) => tokens.length)).toEqual([20, 20, 20]);
    expect(cached.tokens[0]?.slice(0, 12)).toEqual(tinyReference().inputs.tokens.data[0]);
    expect(cached.finished).toEqual([false, false, false]);
  });

  it('computes each prompt position once with the cache (hook_embed sees 12 + 1 + 1 … positions)', async () => {
    const seen: number[][] = [[], []];
    for (const [index, useKvCache] of [true, false].entries()) {
      using _count = registerHook(model, 'hook_embed', 'forward', (output) => {
        seen[index]?.push((output as tf.Tensor).shape[1] ?? 0);
      });
      await generate(model, prompt, { maxNewTokens: 5, useKvCache });
    }
    expect(seen[0]).toEqual([12, 1, 1, 1, 1]);
    expect(seen[1]).toEqual([12, 13, 14, 15, 16]);
  });
});

describe('hooks steer generation at every step', () => {
  it('reproduces the reference steering: the first token moves from 32 to 9', async () => {
    const reference = steering();
    const ids = tf.tensor2d(reference.prompt, [1, 8], 'int32');
    const steer = tf.tidy(() => tf.mul(tensorOf(reference.steer), reference.coeff));
    try {
      const plain = await generate(model, ids, { maxNewTokens: 1 });
      const steered = await withAddedVector(reference.hook, steer, () =>
        generate(model, ids, { maxNewTokens: 1 }),
      );
      expect(plain.newTokens).toEqual([reference.last_position_argmax_unsteered]);
      expect(steered.newTokens).toEqual([reference.last_position_argmax_steered]);
    } finally {
      tf.dispose([ids, steer]);
    }
  });

  it('a steering vector on blocks.0.hook_resid_post changes the continuation, identically with and without the cache', async () => {
    const reference = steering();
    const vector = tf.tidy(() => tf.mul(tf.slice(tensorOf(reference.steer), [2, 0], [1, 64]), 8));
    try {
      const plain = await generate(model, prompt, { maxNewTokens: 12 });
      const calls: number[] = [];
      const steered = await withAddedVector('blocks.0.hook_resid_post', vector, async () => {
        using _count = registerHook(model, 'blocks.0.hook_resid_post', 'forward', () => {
          calls.push(1);
        });
        return await generate(model, prompt, { maxNewTokens: 12 });
      });
      const steeredUncached = await withAddedVector('blocks.0.hook_resid_post', vector, () =>
        generate(model, prompt, { maxNewTokens: 12, useKvCache: false }),
      );
      expect(calls).toHaveLength(12); // the prompt, then one call per new token but the last
      expect(steered.newTokens).not.toEqual(plain.newTokens);
      const changed = steered.newTokens
        .flat()
        .filter((token, i) => token !== plain.newTokens.flat()[i]).length;
      expect(changed).toBeGreaterThan(6);
      expect(steeredUncached).toEqual(steered);
    } finally {
      vector.dispose();
    }
  });
});

describe('sampled generation', () => {
  const sampled = { kind: 'sampled', seed: 11, temperature: 1.5, topK: 20 } as const;

  it('is reproducible from its seed and differs with another seed', async () => {
    const first = await generate(model, prompt, { maxNewTokens: 16, strategy: sampled });
    const again = await generate(model, prompt, { maxNewTokens: 16, strategy: sampled });
    const other = await generate(model, prompt, { maxNewTokens: 16, strategy: { ...sampled, seed: 12 } });
    const greedy = await generate(model, prompt, { maxNewTokens: 16 });
    expect(again).toEqual(first);
    expect(other.newTokens).not.toEqual(first.newTokens);
    expect(first.newTokens).not.toEqual(greedy.newTokens);
  });

  it('draws only among the top-k tokens of each step', async () => {
    const seen: number[][] = [];
    const rows: Float32Array[] = [];
    using _logits = registerHook(model, 'unembed', 'forward', (output) => {
      const logits = output as tf.Tensor;
      const length = logits.shape[1] ?? 1;
      const last = tf.slice(logits, [0, length - 1, 0], [1, 1, 96]);
      rows.push(last.dataSync() as Float32Array);
      last.dispose();
    });
    await generate(model, first, {
      maxNewTokens: 10,
      strategy: { kind: 'sampled', seed: 5, topK: 3 },
      onToken: ({ tokens }) => seen.push([...tokens]),
    });
    expect(seen).toHaveLength(10);
    seen.forEach(([token], step) => {
      const row = Array.from(rows[step] ?? []);
      const third = [...row].sort((a, b) => b - a)[2] ?? Infinity;
      expect(row[token ?? 0]).toBeGreaterThanOrEqual(third);
    });
  });
});

describe('stop tokens, progress and errors', () => {
  it('ends a sequence at a stop token (kept) and stops when every sequence has', async () => {
    const greedy = await generate(model, prompt, { maxNewTokens: 8 });
    const stop = greedy.newTokens[0]?.[2] ?? -1;
    const steps: GenerationStep[] = [];
    const result = await generate(model, prompt, {
      maxNewTokens: 8,
      stopTokens: [stop],
      onToken: (step) => steps.push(step),
    });
    const stoppedAt = (tokens: number[] = []): number => tokens.indexOf(stop);
    result.newTokens.forEach((tokens, b) => {
      const full = greedy.newTokens[b] ?? [];
      const at = stoppedAt(full);
      expect(tokens).toEqual(at === -1 ? full : full.slice(0, at + 1));
      expect(result.finished[b]).toBe(at !== -1);
    });
    expect(steps.map(({ step }) => step)).toEqual([0, 1, 2, 3, 4, 5, 6, 7].slice(0, steps.length));
    const firstStop = stoppedAt(greedy.newTokens[0]);
    expect(steps[firstStop]?.finished[0]).toBe(true);

    const alone = await generate(model, first, { maxNewTokens: 8, stopTokens: [stop] });
    expect(alone.newTokens).toEqual([greedy.newTokens[0]?.slice(0, firstStop + 1)]);
    expect(alone.finished).toEqual([true]);
  });

  it('rethrows what onToken throws, leaving no tensor behind', async () => {
    const before = tf.memory().numTensors;
    await expect(
      generate(model, prompt, {
        maxNewTokens: 5,
        onToken: ({ step }) => {
          if (step === 2) throw new Error('stop here');
        },
      }),
    ).rejects.toThrow('stop here');
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses a non-model, bad tokens and a too long request', async () => {
    await expect(
      generate('gpt2' as unknown as HookedTransformer, prompt, { maxNewTokens: 1 }),
    ).rejects.toMatchObject({
      code: 'E_INVALID_VALUE',
    });
    const floats = tf.zeros([1, 3]);
    await expect(generate(model, floats, { maxNewTokens: 1 })).rejects.toMatchObject({
      code: 'E_INVALID_VALUE',
    });
    floats.dispose();
    await expect(generate(model, prompt, { maxNewTokens: 21 })).rejects.toMatchObject({
      code: 'E_INVALID_VALUE',
    });
  });
});
