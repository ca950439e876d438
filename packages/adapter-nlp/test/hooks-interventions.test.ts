// Interventions through core's hooks on gpt2-tiny: the reference activation-patching grids, and the
// head-separability of hook_z / hook_result.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import type {} from '@tdhook/testing/vitest';
import { HookSession, registerHook } from '@tdhook/core';

import { expected, logitDifference, reference, tokensOf, useTinyModel } from './model-fixture.js';

const model = useTinyModel();

function metricOf(tokens: tf.Tensor): number {
  return tf.tidy(() => logitDifference(model().call(tokens)).dataSync()[0] ?? Number.NaN);
}

/** The corrupted run's metric with `patch` applied through a HookSession. */
function patchedMetric(tokens: tf.Tensor, patch: (session: HookSession) => void): number {
  const session = new HookSession(model());
  try {
    patch(session);
    const ran = session.run(() =>
      tf.tidy(() => logitDifference(model().call(tokens)).dataSync()[0] ?? Number.NaN),
    );
    return ran.stopped ? Number.NaN : ran.value;
  } finally {
    session.close();
  }
}

describe('activation patching on gpt2-tiny (clean → corrupted, atol 1e-5)', () => {
  const ref = reference();
  const patching = ref.activation_patching;

  it('baselines: clean and corrupted metrics', () => {
    const clean = tokensOf(ref.patching_inputs.clean);
    const corrupted = tokensOf(ref.patching_inputs.corrupted);
    expect(Math.abs(metricOf(clean) - patching.clean_metric)).toBeLessThan(1e-5);
    expect(Math.abs(metricOf(corrupted) - patching.corrupted_metric)).toBeLessThan(1e-5);
    tf.dispose([clean, corrupted]);
  });

  it('head grid: hook_z[:, :, head, :] patched per layer and head', () => {
    const clean = tokensOf(ref.patching_inputs.clean);
    const corrupted = tokensOf(ref.patching_inputs.corrupted);
    const { logits, cache } = model().runWithCache(clean, { names: /attn\.hook_z$/ });
    const effects: number[][] = [0, 1].map((layer) =>
      [0, 1, 2, 3].map((head) => {
        const path = `blocks.${layer}.attn.hook_z`;
        const value = tf.slice(cache.getTensor(path), [0, 0, head, 0], [1, 12, 1, 16]);
        const metric = patchedMetric(corrupted, (session) => {
          session.replace({ path, featureAxis: 2, indices: [head] }, value);
        });
        value.dispose();
        return metric - patching.corrupted_metric;
      }),
    );
    expect(effects).toBeCloseToTensor(expected(patching.head_z.effect), { atol: 1e-5, rtol: 0 });
    // Every head of every layer patched reproduces the clean metric.
    const all = patchedMetric(corrupted, (session) => {
      for (const layer of [0, 1]) {
        session.replace(`blocks.${layer}.attn.hook_z`, cache.getTensor(`blocks.${layer}.attn.hook_z`));
      }
    });
    expect(Math.abs(all - patching.clean_metric)).toBeLessThan(1e-5);
    tf.dispose([clean, corrupted, logits]);
    cache.dispose();
  });

  it('residual grid: hook_resid_pre[:, pos, :] patched per layer and position', () => {
    const clean = tokensOf(ref.patching_inputs.clean);
    const corrupted = tokensOf(ref.patching_inputs.corrupted);
    const { logits, cache } = model().runWithCache(clean, { names: /hook_resid_pre$/ });
    const effects: number[][] = [0, 1].map((layer) =>
      Array.from({ length: 12 }, (_, position) => {
        const path = `blocks.${layer}.hook_resid_pre`;
        const value = tf.slice(cache.getTensor(path), [0, position, 0], [1, 1, 64]);
        const metric = patchedMetric(corrupted, (session) => {
          session.replace({ path, featureAxis: 1, indices: [position] }, value);
        });
        value.dispose();
        return metric - patching.corrupted_metric;
      }),
    );
    expect(effects).toBeCloseToTensor(expected(patching.resid_pre.effect), { atol: 1e-5, rtol: 0 });
    tf.dispose([clean, corrupted, logits]);
    cache.dispose();
  });
});

describe('heads are separable at hook_z and hook_result', () => {
  it('replacing hook_z of one head changes only that head: other heads’ hook_result unchanged, attn_out moves by that head’s result change', () => {
    const m = model();
    const tokens = tokensOf(reference().inputs.tokens.data);
    const names = ['blocks.1.attn.hook_result', 'blocks.1.hook_attn_out'];
    const before = m.runWithCache(tokens, { names });
    const handle = registerHook(m, 'blocks.1.attn.hook_z', 'forward', (z) =>
      tf.tidy(() => {
        const zt = z as tf.Tensor;
        const mask = tf.reshape(tf.tensor1d([1, 0, 1, 1]), [1, 1, 4, 1]); // zero head 1
        return tf.add(tf.mul(zt, mask), tf.mul(tf.mul(zt, tf.sub(1, mask)), -3));
      }),
    );
    let after: ReturnType<typeof m.runWithCache>;
    try {
      after = m.runWithCache(tokens, { names });
    } finally {
      handle.remove();
    }
    const resultBefore = before.cache.getTensor('blocks.1.attn.hook_result');
    const resultAfter = after.cache.getTensor('blocks.1.attn.hook_result');
    for (const head of [0, 2, 3]) {
      const a = tf.slice(resultBefore, [0, 0, head, 0], [3, 12, 1, 64]);
      const b = tf.slice(resultAfter, [0, 0, head, 0], [3, 12, 1, 64]);
      expect(b, `head ${head}`).toBeCloseToTensor(a, { atol: 0, rtol: 0 });
      tf.dispose([a, b]);
    }
    const headChange = tf.tidy(() =>
      tf.squeeze(tf.slice(tf.sub(resultAfter, resultBefore), [0, 0, 1, 0], [3, 12, 1, 64]), [2]),
    );
    const outChange = tf.tidy(() =>
      tf.sub(
        after.cache.getTensor('blocks.1.hook_attn_out'),
        before.cache.getTensor('blocks.1.hook_attn_out'),
      ),
    );
    const moved = tf.tidy(() => tf.max(tf.abs(headChange)).dataSync()[0] ?? 0);
    expect(moved).toBeGreaterThan(0.01);
    expect(outChange).toBeCloseToTensor(headChange, { atol: 1e-6, rtol: 0 });
    tf.dispose([tokens, before.logits, after.logits, headChange, outChange]);
    before.cache.dispose();
    after.cache.dispose();
  });

  it('with useAttnResult on, the logits are those of the fused c_proj (sum of head results + bias = hook_attn_out)', () => {
    const m = model();
    const tokens = tokensOf(reference().inputs.tokens.data);
    m.setUseAttnResult(true);
    let logits: tf.Tensor;
    try {
      logits = m.call(tokens);
    } finally {
      m.setUseAttnResult(false);
    }
    expect(logits).toBeCloseToTensor(expected(reference().forward.logits), { atol: 1e-5, rtol: 0 });
    tf.dispose([tokens, logits]);
  });

  it('replacing hook_result of one head changes hook_attn_out by exactly that replacement', () => {
    const m = model();
    const tokens = tokensOf(reference().inputs.tokens.data);
    m.setUseAttnResult(true);
    const session = new HookSession(m);
    try {
      const out = session.capture('blocks.0.hook_attn_out');
      const result = session.capture('blocks.0.attn.hook_result');
      session.replace({ path: 'blocks.0.attn.hook_result', featureAxis: 2, indices: [3] }, 0);
      const ran = session.run(() => m.call(tokens));
      if (!ran.stopped) ran.value.dispose();
      session.close();
      const expectedOut = tf.tidy(() => {
        const kept = tf.slice(result.value as tf.Tensor, [0, 0, 0, 0], [3, 12, 3, 64]);
        return tf.add(tf.sum(kept, 2), m.blocks.items[0]?.attn.cProj.bias as tf.Tensor);
      });
      expect(out.value).toBeCloseToTensor(expectedOut, { atol: 1e-6, rtol: 0 });
      tf.dispose([expectedOut]);
      out.dispose();
      result.dispose();
    } finally {
      session.close();
      m.setUseAttnResult(false);
      tokens.dispose();
    }
  });
});
