// LRP for transformers (transformerLrpComposite): conservation on gpt2-tiny. Relevance at the input is the
// token embedding ⊙ g plus the position embedding ⊙ g, g the composite's modified gradient; with every bias
// (Conv1D b, LayerNorm β) zeroed it must sum to the target logit, and with the biases it falls short by what
// they absorb. Set TDHOOK_CONSERVATION_OUT to a file to record the numbers.
import { appendFileSync } from 'node:fs';

import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, inject, it } from 'vitest';
import type {} from '@tdhook/testing/vitest';

import { lrp } from '@tdhook/attribution';
import { TensorDict } from '@tdhook/core';

import {
  attributeTokens,
  HookedTransformer,
  isFusedQkvProjection,
  LogitsFromEmbeddings,
  transformerLrpComposite,
} from '../src/index.js';
import { reference, tinyConfig, tinyWeights, useTinyModel } from './model-fixture.js';

const model = useTinyModel();
const ids = reference().inputs.tokens.data;

/** The gpt2-tiny model with every bias and LayerNorm β set to 0. */
function withoutBiases(): HookedTransformer {
  const weights = tinyWeights();
  try {
    for (const [name, tensor] of Object.entries(weights)) {
      if (/\.bias$/.test(name)) {
        weights[name] = tf.zerosLike(tensor);
        tensor.dispose();
      }
    }
    return HookedTransformer.fromGpt2Weights(tinyConfig(), weights);
  } finally {
    tf.dispose(Object.values(weights));
  }
}

interface Conservation {
  readonly total: number[];
  readonly tokens: number[];
  readonly logits: number[];
}

function conservation(m: HookedTransformer, label: string): Conservation {
  const argmax = tf.tidy(() => {
    const logits = m.call(tf.tensor2d(ids, undefined, 'int32'));
    return Array.from(
      tf.argMax(tf.reshape(tf.slice(logits, [0, 11, 0], [3, 1, 96]), [3, 96]), -1).dataSync(),
    );
  });
  const result = attributeTokens(m, ids, { method: 'lrp', target: { token: argmax } });
  result.attribution.dispose();
  const tokens = result.scores.map((row) => row.reduce((a, b) => a + b, 0));
  const positions = (result.positionScores ?? []).map((row) => row.reduce((a, b) => a + b, 0));
  const total = tokens.map((t, i) => t + (positions[i] ?? 0));
  const out = process.env['TDHOOK_CONSERVATION_OUT'];
  if (out !== undefined) {
    appendFileSync(
      out,
      `${JSON.stringify({ backend: inject('tdhookBackend'), label, logits: result.targetValues, tokenSum: tokens, positionSum: positions, total })}\n`,
    );
  }
  return { total, tokens, logits: result.targetValues };
}

describe('LRP for transformers (transformerLrpComposite)', () => {
  it('conserves the target logit exactly when no bias absorbs relevance', () => {
    const bare = withoutBiases();
    try {
      const { total, logits } = conservation(bare, 'no biases');
      // float32 sums of ~10³ terms, and pseudo-identity's 1e-6 stabiliser: 1e-5 of the logit.
      total.forEach((sum, i) => {
        expect(Math.abs(sum - (logits[i] ?? 0))).toBeLessThan(1e-5 * Math.abs(logits[i] ?? 1));
      });
    } finally {
      bare.dispose();
    }
  });

  it('with the biases, the input keeps most of the logit and the rest is what the biases absorb', () => {
    const { total, logits } = conservation(model(), 'gpt2-tiny (biases)');
    total.forEach((sum, i) => {
      const logit = logits[i] ?? 0;
      expect(Number.isFinite(sum)).toBe(true);
      expect(Math.abs(sum - logit)).toBeLessThan(Math.abs(logit));
    });
  });

  it('with the biases, input relevance plus every bias share b·g is the logit', () => {
    const m = model();
    const { total, logits } = conservation(m, 'gpt2-tiny (biases), bias shares');
    // The modified gradient at each biased module's output; a bias b there takes Σ b·g.
    const biased = m.blocks.items.flatMap((block, i) => {
      const [ln2, mlp] = [block.ln2, block.mlp];
      if (ln2 === undefined || mlp === undefined) throw new Error('gpt2-tiny has MLPs');
      return [
        [`model.blocks.${i}.ln1`, block.ln1.beta, 'all'],
        [`model.blocks.${i}.attn.c_attn`, block.attn.cAttn.bias, 'values'],
        [`model.blocks.${i}.attn.c_proj`, block.attn.cProj.bias, 'all'],
        [`model.blocks.${i}.ln2`, ln2.beta, 'all'],
        [`model.blocks.${i}.mlp.c_fc`, mlp.cFc.bias, 'all'],
        [`model.blocks.${i}.mlp.c_proj`, mlp.cProj.bias, 'all'],
      ] as const;
    });
    const paths = [...biased.map(([path]) => path), 'model.ln_final'];
    const argmax = tf.tidy(() => {
      const out = m.call(tf.tensor2d(ids, undefined, 'int32'));
      return Array.from(tf.argMax(tf.reshape(tf.slice(out, [0, 11, 0], [3, 1, 96]), [3, 96]), -1).dataSync());
    });
    const wrapper = new LogitsFromEmbeddings(m, 11);
    using prepared = lrp({
      composite: transformerLrpComposite(),
      target: { select: argmax },
      modules: paths,
    }).prepare(wrapper);
    using data = new TensorDict(
      { input: tf.tidy(() => m.embed.call(tf.tensor2d(ids, undefined, 'int32'))) },
      { batchShape: [3] },
    );
    using result = prepared.run(data);
    const shares = tf.tidy(() => {
      const terms = [...biased, ['model.ln_final', m.lnFinal.beta, 'all'] as const].map(
        ([path, bias, part]) => {
          let g = result.getTensor(['attr', path]);
          if (part === 'values') {
            const width = bias.shape[0];
            g = tf.slice(g, [0, 0, (2 * width) / 3], [-1, -1, width / 3]);
            bias = tf.slice(bias, [(2 * width) / 3], [width / 3]);
          }
          return tf.sum(tf.mul(g, bias), [1, 2]);
        },
      );
      return Array.from(tf.addN(terms).dataSync());
    });
    const out = process.env['TDHOOK_CONSERVATION_OUT'];
    if (out !== undefined)
      appendFileSync(
        out,
        `${JSON.stringify({ backend: inject('tdhookBackend'), label: 'bias shares', shares, inputPlusBiases: total.map((t, i) => t + (shares[i] ?? 0)), logits })}\n`,
      );
    total.forEach((sum, i) => {
      expect(Math.abs(sum + (shares[i] ?? 0) - (logits[i] ?? 0))).toBeLessThan(
        1e-5 * Math.abs(logits[i] ?? 1),
      );
    });
  });

  it('the composite maps LayerNorm, the fused QKV projection and GELU, and passes the rest as gradients', () => {
    const composite = transformerLrpComposite();
    expect(composite.describe({ callbackIds: new Map([[isFusedQkvProjection, 'fused-qkv']]) })).toEqual({
      composite: 'tdhook/transformer-relp',
      entries: [
        { match: { kinds: ['layer-norm'] }, rule: { rule: 'layer-norm', params: {} } },
        { match: { where: { callback: 'fused-qkv' } }, rule: { rule: 'attention-value', params: {} } },
        { match: { kinds: ['activation'] }, rule: { rule: 'pseudo-identity', params: { stabilizer: 1e-6 } } },
        { match: {}, rule: { rule: 'ignore', params: {} } },
      ],
      canonizers: [],
    });
    expect(isFusedQkvProjection({ path: 'model.blocks[1].attn.c_attn' } as never)).toBe(true);
    expect(isFusedQkvProjection({ path: 'model.blocks[1].mlp.c_fc' } as never)).toBe(false);
  });
});
