// The file-format half of checkpoint loading (no model): config.json mapping, weight files, name matching.
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { readGpt2Checkpoint } from '../src/checkpoint/read-gpt2-checkpoint.js';
import { writeGpt2Checkpoint } from '../src/checkpoint/write-gpt2-checkpoint.js';
import { gpt2WeightSpecs, type SafetensorsTensor } from '../src/index.js';
import {
  fixtureConfig,
  fixtureTensors,
  rejection,
  temporaryFolder,
  withoutPrefix,
  writeVariant,
  type TensorMap,
} from './checkpoint-variants.js';
import { fixtureDirectory } from './model-fixture.js';

const tinyConfig = {
  nLayers: 2,
  dModel: 64,
  nHeads: 4,
  dHead: 16,
  nCtx: 32,
  dVocab: 96,
  dMlp: 256,
  attnOnly: false,
  actFn: 'gelu_new',
  layerNormEps: 1e-5,
};

let folder = '';
let remove = (): void => {};
beforeEach(() => {
  ({ folder, remove } = temporaryFolder());
});
afterEach(() => {
  remove();
});

/** Expects `promise` to reject with this code and message, naming `where` (file/tensor/field). */
async function expectRejected(
  promise: Promise<unknown>,
  code: string,
  message: RegExp,
  where: Record<string, string> = {},
): Promise<void> {
  const error = await rejection(promise);
  expect(error.message).toMatch(message);
  expect(error).toMatchObject({ code, ...where });
}

/** Expects reading `folder` to fail with this code and message, naming `where` (file/tensor/field). */
async function expectRefused(
  code: string,
  message: RegExp,
  where: Record<string, string> = {},
): Promise<void> {
  await expectRejected(readGpt2Checkpoint(folder, 'error'), code, message, where);
}

function valuesOf(weights: ReadonlyMap<string, SafetensorsTensor>, name: string): Float32Array {
  return weights.get(name)?.data as Float32Array;
}

describe('readGpt2Checkpoint on gpt2-tiny', () => {
  it('maps config.json to the resolved config and every weight by its spec name, in spec order', async () => {
    const contents = await readGpt2Checkpoint(fixtureDirectory, 'error');
    expect(contents.config).toEqual(tinyConfig);
    expect(contents.weightFiles).toEqual(['model.safetensors']);
    expect(contents.hfConfig['eos_token_id']).toBe(95);
    expect([...contents.weights.keys()]).toEqual(gpt2WeightSpecs(contents.config).map(({ name }) => name));
    const stored = fixtureTensors();
    for (const [name, tensor] of contents.weights) {
      expect(tensor.data, name).toEqual(stored[`transformer.${name}`]?.data);
    }
  });
});

describe('hub-style variants', () => {
  it('reads names without the transformer. prefix', async () => {
    writeVariant(folder, withoutPrefix(fixtureTensors()));
    const { weights } = await readGpt2Checkpoint(folder, 'error');
    expect(valuesOf(weights, 'h.1.mlp.c_fc.weight')).toEqual(
      fixtureTensors()['transformer.h.1.mlp.c_fc.weight']?.data,
    );
  });

  it('skips attn.bias and attn.masked_bias buffers, with or without the prefix', async () => {
    const tensors: TensorMap = { ...fixtureTensors() };
    const mask = new Float32Array(32 * 32).map((_, i) => (i % 32 <= Math.floor(i / 32) ? 1 : 0));
    for (const layer of [0, 1]) {
      tensors[`transformer.h.${layer}.attn.bias`] = { shape: [1, 1, 32, 32], data: mask };
      tensors[`h.${layer}.attn.masked_bias`] = { shape: [], data: new Float32Array([-1e4]) };
    }
    writeVariant(folder, tensors);
    const { weights } = await readGpt2Checkpoint(folder, 'error');
    expect(weights.size).toBe(28);
  });

  it('reads F16 and BF16 weights as float32', async () => {
    const tensors = Object.fromEntries(
      Object.entries(fixtureTensors()).map(([name, tensor], i) => [
        name,
        { ...tensor, dtype: i % 2 === 0 ? 'F16' : 'BF16' } as const,
      ]),
    );
    writeVariant(folder, tensors);
    const { weights } = await readGpt2Checkpoint(folder, 'error');
    const exact = valuesOf(
      await readGpt2Checkpoint(fixtureDirectory, 'error').then((c) => c.weights),
      'wte.weight',
    );
    const rounded = valuesOf(weights, 'wte.weight');
    expect(weights.get('wte.weight')?.dtype).toMatch(/^(F16|BF16)$/);
    const worst = rounded.reduce(
      (max, value, i) => Math.max(max, Math.abs(value - (exact[i] ?? 0)) / Math.abs(exact[i] ?? 1)),
      0,
    );
    expect(worst).toBeGreaterThan(0);
    expect(worst).toBeLessThanOrEqual(2 ** -8);
  });

  it('accepts an lm_head.weight equal to wte', async () => {
    const tensors = fixtureTensors();
    writeVariant(folder, {
      ...tensors,
      'lm_head.weight': tensors['transformer.wte.weight'] as SafetensorsTensor,
    });
    expect((await readGpt2Checkpoint(folder, 'error')).weights.size).toBe(28);
  });

  it('accepts untied config with an lm_head equal to wte', async () => {
    const tensors = fixtureTensors();
    writeVariant(
      folder,
      { ...tensors, 'lm_head.weight': tensors['transformer.wte.weight'] as SafetensorsTensor },
      {
        ...fixtureConfig(),
        tie_word_embeddings: false,
      },
    );
    expect((await readGpt2Checkpoint(folder, 'error')).weights.size).toBe(28);
  });

  it('reads a sharded checkpoint through model.safetensors.index.json', async () => {
    const { weights } = await readGpt2Checkpoint(fixtureDirectory, 'error');
    const saved = await writeGpt2Checkpoint(folder, tinyConfig as never, Object.fromEntries(weights), {
      maxShardBytes: 100_000,
    });
    expect(saved.files).toEqual([
      'config.json',
      'model-00001-of-00006.safetensors',
      'model-00002-of-00006.safetensors',
      'model-00003-of-00006.safetensors',
      'model-00004-of-00006.safetensors',
      'model-00005-of-00006.safetensors',
      'model-00006-of-00006.safetensors',
      'model.safetensors.index.json',
    ]);
    const index = JSON.parse(readFileSync(join(folder, 'model.safetensors.index.json'), 'utf8')) as {
      metadata: { total_size: number };
      weight_map: Record<string, string>;
    };
    expect(index.metadata.total_size).toBe(433_152);
    expect(Object.keys(index.weight_map)).toEqual(Object.keys(index.weight_map).sort());
    expect(index.weight_map['transformer.wte.weight']).toBe('model-00001-of-00006.safetensors');
    const back = await readGpt2Checkpoint(folder, 'error');
    expect(back.weightFiles).toHaveLength(6);
    expect(back.config).toEqual(tinyConfig);
    for (const [name, tensor] of weights) expect(back.weights.get(name)?.data, name).toEqual(tensor.data);
  });
});

describe('refused checkpoints name what is wrong', () => {
  it('refuses a missing tensor, naming it and counting the others', async () => {
    const tensors = fixtureTensors();
    delete tensors['transformer.h.1.ln_2.bias'];
    delete tensors['transformer.ln_f.weight'];
    writeVariant(folder, tensors);
    await expectRefused(
      'E_CHECKPOINT_TENSOR',
      /Tensor h\.1\.ln_2\.bias \(and 1 more: ln_f\.weight\) is missing/,
      {
        tensor: 'h.1.ln_2.bias',
      },
    );
  });

  it('refuses an unexpected tensor unless told to ignore it', async () => {
    writeVariant(folder, {
      ...fixtureTensors(),
      'transformer.h.2.ln_1.weight': { shape: [64], data: new Float32Array(64) },
    });
    await expectRefused('E_CHECKPOINT_TENSOR', /transformer\.h\.2\.ln_1\.weight is not part of the model/, {
      tensor: 'transformer.h.2.ln_1.weight',
    });
    expect((await readGpt2Checkpoint(folder, 'ignore')).weights.size).toBe(28);
  });

  it('refuses a wrong shape, naming the tensor and both shapes', async () => {
    const tensors: TensorMap = fixtureTensors();
    tensors['transformer.h.0.attn.c_proj.bias'] = { shape: [2, 32], data: new Float32Array(64) };
    writeVariant(folder, tensors);
    await expectRefused(
      'E_CHECKPOINT_TENSOR',
      /h\.0\.attn\.c_proj\.bias has shape \[2, 32\], but the config calls for \[64\]/,
    );
  });

  it('refuses integer weights', async () => {
    const tensors: TensorMap = fixtureTensors();
    tensors['transformer.ln_f.bias'] = { shape: [64], data: new Int32Array(64) };
    writeVariant(folder, tensors);
    await expectRefused('E_CHECKPOINT_TENSOR', /ln_f\.bias is I32, not a float dtype/);
  });

  it('refuses a weight stored twice (with and without the prefix)', async () => {
    const tensors = fixtureTensors();
    writeVariant(folder, {
      ...tensors,
      'wpe.weight': tensors['transformer.wpe.weight'] as SafetensorsTensor,
    });
    await expectRefused('E_CHECKPOINT_TENSOR', /wpe\.weight is stored twice/);
  });

  it('refuses an lm_head that differs from wte', async () => {
    const tensors = fixtureTensors();
    const wte = tensors['transformer.wte.weight'] as SafetensorsTensor;
    writeVariant(folder, {
      ...tensors,
      'lm_head.weight': { shape: wte.shape, data: wte.data.map((v) => v * 2) },
    });
    await expectRefused('E_CHECKPOINT_TENSOR', /lm_head\.weight differs from wte\.weight/, {
      tensor: 'lm_head.weight',
    });
  });

  it('refuses tie_word_embeddings: false without an lm_head', async () => {
    writeVariant(folder, fixtureTensors(), { ...fixtureConfig(), tie_word_embeddings: false });
    await expectRefused('E_CHECKPOINT_CONFIG', /tie_word_embeddings is false/, {
      field: 'tie_word_embeddings',
    });
  });

  const unsupported: [string, unknown, RegExp][] = [
    ['scale_attn_by_inverse_layer_idx', true, /scale_attn_by_inverse_layer_idx: true is not supported/],
    ['reorder_and_upcast_attn', true, /reorder_and_upcast_attn: true is not supported/],
    ['scale_attn_weights', false, /scale_attn_weights: false is not supported/],
    ['add_cross_attention', true, /add_cross_attention: true is not supported/],
    ['model_type', 'gpt_neox', /model_type is "gpt_neox"; tdhook loads GPT-2/],
    ['activation_function', 'silu', /activation_function "silu" is not supported/],
    ['n_layer', '2', /n_layer is "2", not a positive integer/],
    ['n_head', 5, /n_embd 64 is not a multiple of n_head 5/],
    ['layer_norm_epsilon', -1, /layer_norm_epsilon is -1/],
    ['attn_only', 'yes', /attn_only is not a boolean/],
  ];
  for (const [field, value, message] of unsupported) {
    it(`refuses ${field}: ${JSON.stringify(value)}`, async () => {
      writeVariant(folder, fixtureTensors(), { ...fixtureConfig(), [field]: value });
      await expectRefused('E_CHECKPOINT_CONFIG', message, { field, file: 'config.json' });
    });
  }

  it('maps gelu_pytorch_tanh to gelu_new, n_inner and the attn_only extension', async () => {
    const specs = gpt2WeightSpecs({ ...tinyConfig, attnOnly: true } as never);
    const stored = fixtureTensors();
    const attnOnly = Object.fromEntries(
      specs.map(({ name }) => [`transformer.${name}`, stored[`transformer.${name}`] as SafetensorsTensor]),
    );
    writeVariant(folder, attnOnly, {
      ...fixtureConfig(),
      attn_only: true,
      activation_function: 'gelu_pytorch_tanh',
      n_inner: 256,
    });
    const { config, weights } = await readGpt2Checkpoint(folder, 'error');
    expect(config).toEqual({ ...tinyConfig, attnOnly: true });
    expect(weights.size).toBe(16);
  });

  it('refuses a folder that does not exist, or without config.json', async () => {
    await expectRejected(
      readGpt2Checkpoint(join(folder, 'nope'), 'error'),
      'E_CHECKPOINT_FILE',
      /is not a folder/,
    );
    await expectRefused('E_CHECKPOINT_FILE', /has no config\.json/);
  });

  it('refuses a config.json that is not JSON', async () => {
    writeVariant(folder, fixtureTensors());
    writeFileSync(join(folder, 'config.json'), '{ "n_layer": 2,');
    await expectRefused('E_CHECKPOINT_FILE', /config\.json is not valid JSON/);
  });

  it('refuses a folder without weights, pointing pytorch_model.bin to safetensors', async () => {
    writeVariant(folder, fixtureTensors());
    rmSync(join(folder, 'model.safetensors'));
    await expectRefused(
      'E_CHECKPOINT_FILE',
      /has neither model\.safetensors nor model\.safetensors\.index\.json/,
    );
    writeFileSync(join(folder, 'pytorch_model.bin'), 'pickle');
    await expectRefused('E_CHECKPOINT_FILE', /safe_serialization=True/);
  });

  it('refuses a corrupt model.safetensors with the format error', async () => {
    writeVariant(folder, fixtureTensors());
    const bytes = readFileSync(join(folder, 'model.safetensors'));
    writeFileSync(join(folder, 'model.safetensors'), bytes.subarray(0, bytes.byteLength - 10));
    await expectRefused('E_SAFETENSORS_FORMAT', /the file holds 433142 after the header/, {
      file: 'model.safetensors',
    });
  });

  describe('sharded', () => {
    async function sharded(): Promise<void> {
      const { weights } = await readGpt2Checkpoint(fixtureDirectory, 'error');
      await writeGpt2Checkpoint(folder, tinyConfig as never, Object.fromEntries(weights), {
        maxShardBytes: 200_000,
      });
    }
    const indexPath = (): string => join(folder, 'model.safetensors.index.json');
    const readIndex = (): { weight_map: Record<string, string> } =>
      JSON.parse(readFileSync(indexPath(), 'utf8')) as { weight_map: Record<string, string> };

    it('refuses a missing shard', async () => {
      await sharded();
      rmSync(join(folder, 'model-00002-of-00003.safetensors'));
      await expectRefused(
        'E_CHECKPOINT_FILE',
        /shard model-00002-of-00003\.safetensors that the index lists is missing/,
      );
    });

    it('refuses an index that places a tensor in the wrong shard or misses one', async () => {
      await sharded();
      const index = readIndex();
      index.weight_map['transformer.wte.weight'] = 'model-00002-of-00003.safetensors';
      writeFileSync(indexPath(), JSON.stringify(index));
      await expectRefused(
        'E_CHECKPOINT_TENSOR',
        /holds transformer\.wte\.weight, which the index places in model-00002/,
      );
      delete index.weight_map['transformer.wte.weight'];
      writeFileSync(indexPath(), JSON.stringify(index));
      await expectRefused(
        'E_CHECKPOINT_TENSOR',
        /holds transformer\.wte\.weight, which the index does not list/,
      );
    });

    it('refuses an index entry whose tensor its shard lacks, and shard paths outside the folder', async () => {
      await sharded();
      const index = readIndex();
      index.weight_map['transformer.extra'] = 'model-00001-of-00003.safetensors';
      writeFileSync(indexPath(), JSON.stringify(index));
      await expectRefused(
        'E_CHECKPOINT_TENSOR',
        /places transformer\.extra in model-00001-of-00003\.safetensors, but the shard does not hold it/,
      );
      index.weight_map['transformer.extra'] = '../model.safetensors';
      writeFileSync(indexPath(), JSON.stringify(index));
      await expectRefused('E_CHECKPOINT_FILE', /not a file name in the folder/);
      writeFileSync(indexPath(), JSON.stringify({ weight_map: [] }));
      await expectRefused('E_CHECKPOINT_FILE', /no weight_map object/);
    });
  });
});

describe('writeGpt2Checkpoint', () => {
  async function tinyWeights(): Promise<Record<string, SafetensorsTensor>> {
    return Object.fromEntries((await readGpt2Checkpoint(fixtureDirectory, 'error')).weights);
  }

  it('writes the fixture model.safetensors byte for byte, and a config.json that maps back', async () => {
    const saved = await writeGpt2Checkpoint(folder, tinyConfig as never, await tinyWeights(), {
      extraConfig: { eos_token_id: 95 },
    });
    expect(saved.files).toEqual(['config.json', 'model.safetensors']);
    expect(
      readFileSync(join(folder, 'model.safetensors')).equals(
        readFileSync(join(fixtureDirectory, 'model.safetensors')),
      ),
    ).toBe(true);
    const config = JSON.parse(readFileSync(join(folder, 'config.json'), 'utf8')) as Record<string, unknown>;
    expect(Object.keys(config)).toEqual(Object.keys(config).sort());
    expect(config).toMatchObject({
      model_type: 'gpt2',
      n_inner: null,
      tie_word_embeddings: true,
      eos_token_id: 95,
    });
    expect(config).not.toHaveProperty('attn_only');
    expect((await readGpt2Checkpoint(folder, 'error')).config).toEqual(tinyConfig);
    expect(readdirSync(folder).sort()).toEqual(['config.json', 'model.safetensors']);
  });

  it('refuses a folder that holds a checkpoint unless overwrite, then removes the stale weight files', async () => {
    const weights = await tinyWeights();
    await writeGpt2Checkpoint(folder, tinyConfig as never, weights, { maxShardBytes: 200_000 });
    await expectRejected(
      writeGpt2Checkpoint(folder, tinyConfig as never, weights),
      'E_CHECKPOINT_FILE',
      /already holds a checkpoint.*overwrite: true/,
    );
    writeFileSync(join(folder, 'vocab.json'), '{}');
    await writeGpt2Checkpoint(folder, tinyConfig as never, weights, { overwrite: true });
    expect(readdirSync(folder).sort()).toEqual(['config.json', 'model.safetensors', 'vocab.json']);
    await writeGpt2Checkpoint(folder, tinyConfig as never, weights, {
      overwrite: true,
      maxShardBytes: 300_000,
    });
    expect(readdirSync(folder).sort()).toEqual([
      'config.json',
      'model-00001-of-00002.safetensors',
      'model-00002-of-00002.safetensors',
      'model.safetensors.index.json',
      'vocab.json',
    ]);
    expect((await readGpt2Checkpoint(folder, 'error')).weightFiles).toHaveLength(2);
  });

  it('refuses bad options, extra fields the model defines and missing weights, writing nothing', async () => {
    const weights = await tinyWeights();
    await expect(
      writeGpt2Checkpoint(folder, tinyConfig as never, weights, { maxShardBytes: 0 }),
    ).rejects.toMatchObject({
      code: 'E_INVALID_VALUE',
    });
    await expect(
      writeGpt2Checkpoint(folder, tinyConfig as never, weights, { extraConfig: { n_layer: 3 } }),
    ).rejects.toMatchObject({
      code: 'E_CHECKPOINT_CONFIG',
      field: 'n_layer',
    });
    const { 'h.1.ln_1.bias': _dropped, ...partial } = weights;
    await expectRejected(
      writeGpt2Checkpoint(folder, tinyConfig as never, partial),
      'E_CHECKPOINT_TENSOR',
      /The weights have no h\.1\.ln_1\.bias/,
    );
    await expect(
      writeGpt2Checkpoint(folder, { ...tinyConfig, dHead: 8 } as never, weights),
    ).rejects.toMatchObject({
      code: 'E_CHECKPOINT_CONFIG',
      field: 'dHead',
    });
    expect(readdirSync(folder)).toEqual([]);
  });
});
