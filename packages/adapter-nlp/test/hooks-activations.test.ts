// One test per hook-point family: the values core's HookSession captures at each hook point of gpt2-tiny
// match the reference activations (TransformerLens names, no weight processing) at atol 1e-5.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import type {} from '@tdhook/testing/vitest';
import { HookSession } from '@tdhook/core';

import { expected, reference, type Spec, tokensOf, useTinyModel } from './model-fixture.js';

const model = useTinyModel();
const tolerance = { atol: 1e-5, rtol: 0 };

function captureAll(names: readonly string[]): Map<string, tf.Tensor> {
  const tokens = tokensOf(reference().activations.tokens);
  const session = new HookSession(model());
  const captured = names.map((name) => [name, session.capture(name)] as const);
  try {
    const ran = session.run(() => model().call(tokens));
    if (!ran.stopped) ran.value.dispose();
  } finally {
    session.close();
    tokens.dispose();
  }
  return new Map(captured.map(([name, unit]) => [name, unit.value as tf.Tensor]));
}

function expectFamily(names: readonly string[]): void {
  const hooks = reference().activations.hooks;
  const values = captureAll(names);
  try {
    for (const name of names) {
      const value = values.get(name);
      expect(value, name).toBeDefined();
      expect(value, name).toBeCloseToTensor(expected(hooks[name] as Spec), tolerance);
    }
  } finally {
    tf.dispose([...values.values()]);
  }
}

const perLayer = (suffix: string): string[] => [0, 1].map((layer) => `blocks.${layer}.${suffix}`);

describe('hook points of gpt2-tiny match the reference', () => {
  it('hook_embed (W_E[tokens]) and hook_pos_embed (W_pos broadcast over the batch)', () => {
    expectFamily(['hook_embed', 'hook_pos_embed']);
  });
  it('residual stream: hook_resid_pre, hook_resid_mid, hook_resid_post', () => {
    expectFamily([
      ...perLayer('hook_resid_pre'),
      ...perLayer('hook_resid_mid'),
      ...perLayer('hook_resid_post'),
    ]);
  });
  it('LayerNorm hook_normalized (ln1, ln2, ln_final: the whole output, weight and bias included)', () => {
    expectFamily([
      ...perLayer('ln1.hook_normalized'),
      ...perLayer('ln2.hook_normalized'),
      'ln_final.hook_normalized',
    ]);
  });
  it('attention hook_q, hook_k, hook_v [batch, pos, head, d_head] (heads contiguous)', () => {
    expectFamily([...perLayer('attn.hook_q'), ...perLayer('attn.hook_k'), ...perLayer('attn.hook_v')]);
  });
  it('hook_attn_scores: scaled, masked with −∞, before the softmax', () => {
    expectFamily(perLayer('attn.hook_attn_scores'));
    const values = captureAll(['blocks.0.attn.hook_attn_scores']);
    const scores = values.get('blocks.0.attn.hook_attn_scores') as tf.Tensor;
    const data = scores.arraySync() as number[][][][];
    expect(data[0]?.[0]?.[0]?.[1]).toBe(Number.NEGATIVE_INFINITY);
    expect(Number.isFinite(data[0]?.[0]?.[1]?.[1])).toBe(true);
    scores.dispose();
  });
  it('hook_pattern [batch, head, query, key]: rows sum to 1', () => {
    expectFamily(perLayer('attn.hook_pattern'));
  });
  it('hook_z [batch, pos, head, d_head]', () => {
    expectFamily(perLayer('attn.hook_z'));
  });
  it('hook_attn_out', () => {
    expectFamily(perLayer('hook_attn_out'));
  });
  it('MLP hook_pre and hook_post (gelu_new)', () => {
    expectFamily([...perLayer('mlp.hook_pre'), ...perLayer('mlp.hook_post')]);
  });
  it('hook_mlp_out', () => {
    expectFamily(perLayer('hook_mlp_out'));
  });

  it('LayerNorm hook_scale [batch, pos, 1] = sqrt(biased var + ε) of the LayerNorm input', () => {
    const hooks = reference().activations.hooks;
    const values = captureAll(['blocks.0.ln1.hook_scale', 'blocks.1.ln2.hook_scale', 'ln_final.hook_scale']);
    const inputs: [string, string][] = [
      ['blocks.0.ln1.hook_scale', 'blocks.0.hook_resid_pre'],
      ['blocks.1.ln2.hook_scale', 'blocks.1.hook_resid_mid'],
      ['ln_final.hook_scale', 'blocks.1.hook_resid_post'],
    ];
    for (const [scaleName, inputName] of inputs) {
      const expectedScale = tf.tidy(() => {
        const x = tf.tensor(expected(hooks[inputName] as Spec).data, [1, 12, 64]);
        const { variance } = tf.moments(x, -1, true);
        return tf.sqrt(tf.add(variance, 1e-5));
      });
      expect(values.get(scaleName)?.shape, scaleName).toEqual([1, 12, 1]);
      expect(values.get(scaleName), scaleName).toBeCloseToTensor(expectedScale, { atol: 1e-6, rtol: 1e-5 });
      expectedScale.dispose();
    }
    tf.dispose([...values.values()]);
  });

  it('hook_result [batch, pos, head, d_model]: summed over heads plus c_proj bias is the reference hook_attn_out', () => {
    const hooks = reference().activations.hooks;
    model().setUseAttnResult(true);
    let values: Map<string, tf.Tensor>;
    try {
      values = captureAll(perLayer('attn.hook_result'));
    } finally {
      model().setUseAttnResult(false);
    }
    for (const [layer, name] of perLayer('attn.hook_result').entries()) {
      const result = values.get(name) as tf.Tensor;
      expect(result.shape).toEqual([1, 12, 4, 64]);
      const summed = tf.tidy(() =>
        tf.add(tf.sum(result, 2), model().blocks.items[layer]?.attn.cProj.bias as tf.Tensor),
      );
      expect(summed, name).toBeCloseToTensor(
        expected(hooks[`blocks.${layer}.hook_attn_out`] as Spec),
        tolerance,
      );
      summed.dispose();
    }
    tf.dispose([...values.values()]);
  });
});
