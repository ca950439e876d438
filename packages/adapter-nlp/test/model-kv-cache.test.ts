import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import type {} from '@tdhook/testing/vitest';
import { HookSession, registerHook } from '@tdhook/core';

import type { KeyValueCache } from '../src/index.js';
import { reference, tokensOf, useTinyModel } from './model-fixture.js';

const model = useTinyModel();
const tolerance = { atol: 1e-5, rtol: 0 };

describe('forwardWithCache (key/value cache)', () => {
  it('prefix + one token at a time gives the logits of the full forward at every new position', () => {
    const m = model();
    const ids = reference().inputs.tokens.data;
    const all = tokensOf(ids);
    const full = m.call(all);
    const prefix = tf.slice(all, [0, 0], [3, 5]);
    let step = m.forwardWithCache(prefix);
    expect(step.cache.length).toBe(5);
    const firstRows = tf.slice(full, [0, 0, 0], [3, 5, 96]);
    expect(step.logits).toBeCloseToTensor(firstRows, tolerance);
    const pieces: tf.Tensor[] = [prefix, step.logits, firstRows];
    for (let position = 5; position < 12; position++) {
      const token = tf.slice(all, [0, position], [3, 1]);
      const next = m.forwardWithCache(token, step.cache);
      step.cache.dispose();
      step = next;
      const expectedRow = tf.slice(full, [0, position, 0], [3, 1, 96]);
      expect(step.logits, `position ${position}`).toBeCloseToTensor(expectedRow, tolerance);
      pieces.push(token, step.logits, expectedRow);
    }
    expect(step.cache.length).toBe(12);
    expect(step.cache.layers[0]?.key.shape).toEqual([3, 12, 4, 16]);
    step.cache.dispose();
    expect(() => step.cache.layers).toThrowTdhookError('E_DISPOSED');
    tf.dispose([all, full, ...pieces]);
  });

  it('several new tokens at once after a cached prefix match too', () => {
    const m = model();
    const all = tokensOf(reference().inputs.tokens.data);
    const full = m.call(all);
    const head = tf.slice(all, [0, 0], [3, 7]);
    const first = m.forwardWithCache(head);
    const rest = tf.slice(all, [0, 7], [3, 5]);
    const second = m.forwardWithCache(rest, first.cache);
    const rows = tf.slice(full, [0, 7, 0], [3, 5, 96]);
    expect(second.logits).toBeCloseToTensor(rows, tolerance);
    first.cache.dispose();
    second.cache.dispose();
    tf.dispose([all, full, head, first.logits, second.logits, rest, rows]);
  });

  it('hooks fire on the new positions only: hook_k is [batch, new, head, d_head], the pattern [batch, head, new, past + new]', () => {
    const m = model();
    const all = tokensOf(reference().inputs.tokens.data);
    const head = tf.slice(all, [0, 0], [3, 10]);
    const first = m.forwardWithCache(head);
    const session = new HookSession(m);
    const k = session.capture('blocks.1.attn.hook_k');
    const pattern = session.capture('blocks.1.attn.hook_pattern');
    const resid = session.capture('blocks.0.hook_resid_post');
    const token = tf.slice(all, [0, 10], [3, 2]);
    const second = m.forwardWithCache(token, first.cache);
    session.close();
    expect(k.value?.shape).toEqual([3, 2, 4, 16]);
    expect(pattern.value?.shape).toEqual([3, 4, 2, 12]);
    expect(resid.value?.shape).toEqual([3, 2, 64]);
    // The same values as the full forward's at those positions.
    const fullSession = new HookSession(m);
    const fullPattern = fullSession.capture('blocks.1.attn.hook_pattern');
    const full = m.call(all);
    fullSession.close();
    const rows = tf.slice(fullPattern.value as tf.Tensor, [0, 0, 10, 0], [3, 4, 2, 12]);
    expect(pattern.value).toBeCloseToTensor(rows, tolerance);
    tf.dispose([all, head, first.logits, second.logits, token, full, rows]);
    for (const captured of [k, pattern, resid, fullPattern]) captured.dispose();
    first.cache.dispose();
    second.cache.dispose();
  });

  it('a replacement at hook_v is stored in the cache and persists for later tokens', () => {
    const m = model();
    const prompt = tf.tensor2d([[3, 1, 4, 1, 5]], [1, 5], 'int32');
    const handle = registerHook(m, 'blocks.0.attn.hook_v', 'forward', (v) => tf.zerosLike(v as tf.Tensor));
    const first = m.forwardWithCache(prompt);
    handle.remove();
    const zero = tf.tidy(() => tf.max(tf.abs(first.cache.layers[0]?.value as tf.Tensor)).dataSync()[0]);
    expect(zero).toBe(0);
    first.cache.dispose();
    tf.dispose([prompt, first.logits]);
  });

  it('rejects a cache of another model or batch, a disposed cache, and positions past nCtx', () => {
    const m = model();
    const prompt = tf.zeros([2, 30], 'int32');
    const first = m.forwardWithCache(prompt);
    const one = tf.zeros([1, 1], 'int32');
    const three = tf.zeros([2, 3], 'int32');
    expect(() => m.forwardWithCache(one, first.cache)).toThrowTdhookError('E_SHAPE_MISMATCH', /batch 2/);
    expect(() => m.forwardWithCache(three, first.cache)).toThrowTdhookError(
      'E_INVALID_VALUE',
      /30 cached \+ 3 new positions exceed the model's context of 32/,
    );
    const notACache: unknown = {};
    expect(() => m.forwardWithCache(one, notACache as KeyValueCache)).toThrowTdhookError(
      'E_INVALID_VALUE',
      /KeyValueCache/,
    );
    first.cache.dispose();
    const two = tf.zeros([2, 1], 'int32');
    expect(() => m.forwardWithCache(two, first.cache)).toThrowTdhookError('E_DISPOSED');
    tf.dispose([prompt, first.logits, one, three, two]);
  });
});
