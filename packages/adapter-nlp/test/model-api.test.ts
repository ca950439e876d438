import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import type {} from '@tdhook/testing/vitest';
import { registerHook } from '@tdhook/core';

import { gpt2WeightSpecs, HookedTransformer, resolveTransformerConfig } from '../src/index.js';
import { expected, reference, tinyConfig, tinyWeights, tokensOf, useTinyModel } from './model-fixture.js';

const model = useTinyModel();
const small = { nLayers: 2, dModel: 16, nHeads: 2, nCtx: 8, dVocab: 11 };

const blockHooks = [
  'hook_resid_pre',
  'ln1.hook_scale',
  'ln1.hook_normalized',
  'attn.hook_q',
  'attn.hook_k',
  'attn.hook_v',
  'attn.hook_attn_scores',
  'attn.hook_pattern',
  'attn.hook_z',
  'attn.hook_result',
  'hook_attn_out',
  'hook_resid_mid',
  'ln2.hook_scale',
  'ln2.hook_normalized',
  'mlp.hook_pre',
  'mlp.hook_post',
  'hook_mlp_out',
  'hook_resid_post',
];

describe('HookedTransformer', () => {
  it('lists every hook point in forward order, with TransformerLens names', () => {
    const names = model().hookPoints();
    expect(names).toEqual([
      'hook_embed',
      'hook_pos_embed',
      ...[0, 1].flatMap((layer) => blockHooks.map((hook) => `blocks.${layer}.${hook}`)),
      'ln_final.hook_scale',
      'ln_final.hook_normalized',
    ]);
    // The reference's 33 names, in its forward order, are a subsequence.
    const refNames: string[] = reference().activations.hook_names;
    expect(names.filter((name) => refNames.includes(name))).toEqual(refNames);
  });

  it('attention-only blocks have no ln2, mlp, hook_mlp_out or hook_resid_mid', () => {
    const attnOnly = HookedTransformer.create({ ...small, attnOnly: true }, { seed: 3 });
    expect(attnOnly.hookPoints().filter((name) => name.startsWith('blocks.0.'))).toEqual(
      blockHooks
        .filter((hook) => !/^(ln2|mlp)\.|hook_mlp_out|hook_resid_mid/.test(hook))
        .map((hook) => `blocks.0.${hook}`),
    );
    const weights = attnOnly.gpt2Weights();
    expect(Object.keys(weights)).toEqual(
      gpt2WeightSpecs(resolveTransformerConfig({ ...small, attnOnly: true })).map((spec) => spec.name),
    );
    tf.dispose(Object.values(weights));
    const tokens = tf.tensor2d([[1, 2, 3]], [1, 3], 'int32');
    const logits = attnOnly.call(tokens);
    expect(logits.shape).toEqual([1, 3, 11]);
    tf.dispose([tokens, logits]);
    attnOnly.dispose();
  });

  it('create is reproducible from its seed and draws GPT-2-scaled weights', () => {
    const a = HookedTransformer.create(small, { seed: 7 });
    const b = HookedTransformer.create(small, { seed: 7 });
    const c = HookedTransformer.create(small, { seed: 8 });
    const [wa, wb, wc] = [a, b, c].map((m) => m.gpt2Weights());
    for (const name of Object.keys(wa ?? {})) {
      expect(wa?.[name], name).toBeCloseToTensor(wb?.[name] as tf.Tensor, { atol: 0, rtol: 0 });
    }
    const wte = wa?.['wte.weight'] as tf.Tensor;
    const std = tf.tidy(() => tf.sqrt(tf.mean(tf.square(wte))).dataSync()[0] ?? 0);
    expect(std).toBeGreaterThan(0.015);
    expect(std).toBeLessThan(0.025);
    const differs = tf.tidy(() => tf.any(tf.notEqual(wte, wc?.['wte.weight'] as tf.Tensor)).dataSync()[0]);
    expect(differs).toBe(1);
    expect(wa?.['h.0.ln_1.weight']).toBeCloseToTensor(new Float32Array(16).fill(1), { atol: 0, rtol: 0 });
    for (const weights of [wa, wb, wc]) tf.dispose(Object.values(weights ?? {}));
    for (const m of [a, b, c]) m.dispose();
  });

  it('gpt2Weights returns copies under the HF names, and fromGpt2Weights round-trips them', () => {
    const weights = model().gpt2Weights();
    const source = tinyWeights();
    expect(Object.keys(weights).sort()).toEqual(Object.keys(source).sort());
    for (const [name, tensor] of Object.entries(source)) {
      expect(weights[name], name).toBeCloseToTensor(tensor, { atol: 0, rtol: 0 });
    }
    const copy = HookedTransformer.fromGpt2Weights(tinyConfig(), weights);
    tf.dispose(Object.values(weights)); // the model keeps its own copies
    tf.dispose(Object.values(source));
    const tokens = tokensOf(reference().inputs.tokens.data);
    const logits = copy.call(tokens);
    expect(logits).toBeCloseToTensor(expected(reference().forward.logits), { atol: 1e-5, rtol: 0 });
    tf.dispose([tokens, logits]);
    copy.dispose();
  });

  it('fromGpt2Weights names a missing, misshapen, mistyped or unexpected tensor and leaves nothing allocated', () => {
    const config = tinyConfig();
    const weights = tinyWeights();
    const before = tf.memory().numTensors;
    const without = { ...weights };
    delete without['h.1.mlp.c_fc.bias'];
    expect(() => HookedTransformer.fromGpt2Weights(config, without)).toThrowTdhookError(
      'E_MISSING_KEY',
      /'h\.1\.mlp\.c_fc\.bias' is missing/,
    );
    const transposed = tf.transpose(weights['h.0.attn.c_attn.weight'] as tf.Tensor);
    expect(() =>
      HookedTransformer.fromGpt2Weights(config, { ...weights, 'h.0.attn.c_attn.weight': transposed }),
    ).toThrowTdhookError('E_SHAPE_MISMATCH', /'h\.0\.attn\.c_attn\.weight' is float32\[192,64\]/);
    const ints = tf.zeros([64], 'int32');
    expect(() =>
      HookedTransformer.fromGpt2Weights(config, { ...weights, 'ln_f.bias': ints }),
    ).toThrowTdhookError('E_SHAPE_MISMATCH', /'ln_f\.bias' is int32\[64\]/);
    const buffer = tf.zeros([1, 1, 32, 32]);
    expect(() =>
      HookedTransformer.fromGpt2Weights(config, { ...weights, 'h.0.attn.bias': buffer }),
    ).toThrowTdhookError('E_INVALID_VALUE', /'h\.0\.attn\.bias'/);
    expect(() => HookedTransformer.fromGpt2Weights({ ...config, nLayers: 3 }, weights)).toThrowTdhookError(
      'E_MISSING_KEY',
      /'h\.2\.ln_1\.weight'/,
    );
    tf.dispose([transposed, ints, buffer]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose(Object.values(weights));
  });

  it('call rejects wrong dtypes, ranks, ids and lengths with typed errors', () => {
    const m = model();
    const floats = tf.zeros([1, 3]);
    const rank1 = tf.tensor1d([1, 2], 'int32');
    const outOfRange = tf.tensor2d([[1, 96]], [1, 2], 'int32');
    const negative = tf.tensor2d([[-1]], [1, 1], 'int32');
    const tooLong = tf.zeros([1, 33], 'int32');
    expect(() => m.call(floats)).toThrowTdhookError('E_INVALID_VALUE', /int32/);
    expect(() => m.call(rank1)).toThrowTdhookError('E_SHAPE_MISMATCH', /\[batch, pos\]/);
    expect(() => m.call(outOfRange)).toThrowTdhookError('E_INVALID_VALUE', /Token id 96 .*position 1/);
    expect(() => m.call(negative)).toThrowTdhookError('E_INVALID_VALUE', /Token id -1/);
    expect(() => m.call(tooLong)).toThrowTdhookError('E_INVALID_VALUE', /33 positions .* context of 32/);
    tf.dispose([floats, rank1, outOfRange, negative, tooLong]);
  });

  it('forwardFromEmbeddings(hook_embed output) equals call, and downstream hooks fire', () => {
    const m = model();
    const tokens = tokensOf(reference().inputs.tokens.data);
    const embed = m.embed.call(tokens);
    let fired = 0;
    const handle = registerHook(m, 'blocks.1.attn.hook_pattern', 'forward', () => {
      fired += 1;
      return undefined;
    });
    const logits = m.forwardFromEmbeddings(embed);
    handle.remove();
    expect(fired).toBe(1);
    expect(logits).toBeCloseToTensor(expected(reference().forward.logits), { atol: 1e-5, rtol: 0 });
    const wrong = tf.zeros([1, 3, 8]);
    expect(() => m.forwardFromEmbeddings(wrong)).toThrowTdhookError('E_SHAPE_MISMATCH', /\[batch, pos, 64\]/);
    tf.dispose([tokens, embed, logits, wrong]);
  });

  it('create and setUseAttnResult check their arguments', () => {
    expect(() => HookedTransformer.create(small, { seed: 1.5 })).toThrowTdhookError(
      'E_INVALID_VALUE',
      /seed/,
    );
    expect(() => HookedTransformer.create(small, undefined as never)).toThrowTdhookError(
      'E_INVALID_VALUE',
      /seed/,
    );
    expect(() => HookedTransformer.create({ ...small, dVocab: 0 }, { seed: 1 })).toThrowTdhookError(
      'E_INVALID_VALUE',
      /dVocab/,
    );
    expect(() => {
      model().setUseAttnResult('yes' as never);
    }).toThrowTdhookError('E_INVALID_VALUE', /boolean/);
    expect(model().useAttnResult).toBe(false);
  });

  it('resolveTransformerConfig fills defaults and rejects bad fields', () => {
    expect(resolveTransformerConfig(small)).toEqual({
      ...small,
      dHead: 8,
      dMlp: 64,
      attnOnly: false,
      actFn: 'gelu_new',
      layerNormEps: 1e-5,
    });
    expect(() => resolveTransformerConfig({ ...small, nHeads: 3 })).toThrowTdhookError(
      'E_INVALID_VALUE',
      /not divisible/,
    );
    expect(resolveTransformerConfig({ ...small, nHeads: 3, dHead: 4 }).dHead).toBe(4);
    expect(() => resolveTransformerConfig({ ...small, nLayers: 0 })).toThrowTdhookError(
      'E_INVALID_VALUE',
      /nLayers/,
    );
    expect(() => resolveTransformerConfig({ ...small, dModel: 1.5 })).toThrowTdhookError(
      'E_INVALID_VALUE',
      /dModel/,
    );
    expect(() => resolveTransformerConfig({ ...small, actFn: 'swish' as never })).toThrowTdhookError(
      'E_INVALID_VALUE',
      /Unknown activation function "swish"/,
    );
    expect(() => resolveTransformerConfig({ ...small, nLayer: 2 } as never)).toThrowTdhookError(
      'E_INVALID_VALUE',
      /Unknown config field/,
    );
  });
});
