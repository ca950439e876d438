// loadGpt2Checkpoint / saveGpt2Checkpoint with the model: gpt2-tiny's logits, hub-style variants, round trips,
// and nothing left allocated after a refused load.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type {} from '@tdhook/testing/vitest';

import {
  HookedTransformer,
  loadGpt2Checkpoint,
  saveGpt2Checkpoint,
  type SafetensorsTensor,
} from '../src/index.js';
import {
  fixtureConfig,
  fixtureTensors,
  rejection,
  temporaryFolder,
  withoutPrefix,
  writeVariant,
  type TensorMap,
} from './checkpoint-variants.js';
import { fixtureDirectory, reference as tinyReference } from './model-fixture.js';

let folder = '';
let remove = (): void => {};
beforeEach(() => {
  ({ folder, remove } = temporaryFolder());
});
afterEach(() => {
  remove();
});

/** The reference batch's logits from a model, as nested arrays (nothing left allocated). */
function logitsOf(model: HookedTransformer): number[][][] {
  const { tokens } = tinyReference().inputs;
  const ids = tf.tensor2d(tokens.data, tokens.shape as [number, number], 'int32');
  const logits = model.call(ids);
  const values = logits.arraySync() as number[][][];
  tf.dispose([ids, logits]);
  return values;
}

async function loadedLogits(from: string): Promise<number[][][]> {
  const { model } = await loadGpt2Checkpoint(from);
  try {
    return logitsOf(model);
  } finally {
    model.dispose();
  }
}

describe('loadGpt2Checkpoint on gpt2-tiny', () => {
  it('gives the reference logits (atol 1e-5)', async () => {
    const loaded = await loadGpt2Checkpoint(fixtureDirectory);
    expect(loaded.config).toMatchObject({
      nLayers: 2,
      dModel: 64,
      nHeads: 4,
      nCtx: 32,
      dVocab: 96,
      dMlp: 256,
    });
    expect(loaded.folder).toBe(fixtureDirectory);
    expect(loaded.weightFiles).toEqual(['model.safetensors']);
    expect(loaded.hfConfig['bos_token_id']).toBe(95);
    expect(logitsOf(loaded.model)).toBeCloseToTensor(tinyReference().forward.logits.data, {
      rtol: 0,
      atol: 1e-5,
    });
    loaded.model.dispose();
  });

  it('holds exactly the file’s weights', async () => {
    const { model } = await loadGpt2Checkpoint(fixtureDirectory);
    const weights = model.gpt2Weights();
    const stored = fixtureTensors();
    for (const [name, tensor] of Object.entries(weights)) {
      expect(tensor.dataSync(), name).toEqual(stored[`transformer.${name}`]?.data);
    }
    tf.dispose(Object.values(weights));
    model.dispose();
  });
});

describe('hub-style variants load to the same logits', () => {
  const reference = (): number[][][] => tinyReference().forward.logits.data;

  it('without the prefix and with attn.bias / masked_bias buffers and a tied lm_head', async () => {
    const tensors: TensorMap = withoutPrefix(fixtureTensors());
    const mask = new Float32Array(32 * 32).map((_, i) => (i % 32 <= Math.floor(i / 32) ? 1 : 0));
    for (const layer of [0, 1]) {
      tensors[`h.${layer}.attn.bias`] = { shape: [1, 1, 32, 32], data: mask };
      tensors[`h.${layer}.attn.masked_bias`] = { shape: [], data: new Float32Array([-1e4]) };
    }
    tensors['lm_head.weight'] = tensors['wte.weight'] as SafetensorsTensor;
    writeVariant(folder, tensors);
    expect(await loadedLogits(folder)).toBeCloseToTensor(reference(), { rtol: 0, atol: 1e-5 });
  });

  it('F16 weights: close to the reference within half precision', async () => {
    const half = Object.fromEntries(
      Object.entries(fixtureTensors()).map(([name, t]) => [name, { ...t, dtype: 'F16' as const }]),
    );
    writeVariant(folder, half);
    const logits = await loadedLogits(folder);
    expect(logits).toBeCloseToTensor(reference(), { rtol: 0, atol: 5e-3 });
    expect(logits).not.toBeCloseToTensor(reference(), { rtol: 0, atol: 1e-6 });
  });
});

describe('sharded gpt2-tiny', () => {
  it('loads from shards + index to the reference logits', async () => {
    const { model } = await loadGpt2Checkpoint(fixtureDirectory);
    const saved = await saveGpt2Checkpoint(model, folder, { maxShardBytes: 100_000 });
    model.dispose();
    expect(saved.files).toContain('model.safetensors.index.json');
    const { model: sharded, weightFiles } = await loadGpt2Checkpoint(folder);
    expect(weightFiles).toHaveLength(6);
    const logits = logitsOf(sharded);
    sharded.dispose();
    expect(logits).toBeCloseToTensor(tinyReference().forward.logits.data, { rtol: 0, atol: 1e-5 });
  });
});

describe('saveGpt2Checkpoint', () => {
  it('writes gpt2-tiny back byte for byte and loads to the same logits', async () => {
    const { model } = await loadGpt2Checkpoint(fixtureDirectory);
    const saved = await saveGpt2Checkpoint(model, folder);
    expect(saved.files).toEqual(['config.json', 'model.safetensors']);
    expect(
      readFileSync(join(folder, 'model.safetensors')).equals(
        readFileSync(join(fixtureDirectory, 'model.safetensors')),
      ),
    ).toBe(true);
    const before = logitsOf(model);
    model.dispose();
    expect(await loadedLogits(folder)).toEqual(before);
  });

  it('round-trips a random attention-only model through shards exactly', async () => {
    const model = HookedTransformer.create(
      { nLayers: 3, dModel: 32, nHeads: 2, nCtx: 16, dVocab: 50, attnOnly: true },
      { seed: 4 },
    );
    const saved = await saveGpt2Checkpoint(model, folder, {
      maxShardBytes: 8_000,
      extraConfig: { eos_token_id: 0 },
    });
    // wte | wpe, ln_1 | c_attn.weight (12 288 bytes, alone) | c_attn.bias … next ln_1 | … : 8 shards
    expect(saved.files.filter((file) => file.startsWith('model-'))).toHaveLength(8);
    const config = JSON.parse(readFileSync(join(folder, 'config.json'), 'utf8')) as Record<string, unknown>;
    expect(config).toMatchObject({ attn_only: true, n_layer: 3, n_embd: 32, eos_token_id: 0 });
    const loaded = await loadGpt2Checkpoint(folder);
    expect(loaded.config).toEqual(model.config);
    expect(loaded.weightFiles).toHaveLength(8);
    const ids = tf.tensor2d([[1, 2, 3, 4, 5, 49]], [1, 6], 'int32');
    const expected = model.call(ids);
    const actual = loaded.model.call(ids);
    expect(actual.dataSync()).toEqual(expected.dataSync());
    tf.dispose([ids, expected, actual]);
    model.dispose();
    loaded.model.dispose();
  });

  it('refuses what is not a model, and leaves no tensor behind when the folder is refused', async () => {
    await expect(saveGpt2Checkpoint('model' as unknown as HookedTransformer, folder)).rejects.toMatchObject({
      code: 'E_INVALID_VALUE',
    });
    const model = HookedTransformer.create(
      { nLayers: 1, dModel: 8, nHeads: 2, nCtx: 4, dVocab: 5 },
      { seed: 1 },
    );
    await saveGpt2Checkpoint(model, folder);
    const before = tf.memory().numTensors;
    const error = await rejection(saveGpt2Checkpoint(model, folder));
    expect(error).toMatchObject({ code: 'E_CHECKPOINT_FILE' });
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });
});

describe('a refused load leaves nothing allocated', () => {
  const cases: [string, () => void, string, RegExp][] = [
    [
      'a wrong shape',
      () => {
        const tensors: TensorMap = fixtureTensors();
        tensors['transformer.h.1.mlp.c_fc.weight'] = { shape: [256, 64], data: new Float32Array(256 * 64) };
        writeVariant(folder, tensors);
      },
      'E_CHECKPOINT_TENSOR',
      /h\.1\.mlp\.c_fc\.weight has shape \[256, 64\], but the config calls for \[64, 256\]/,
    ],
    [
      'a missing tensor',
      () => {
        const tensors = fixtureTensors();
        delete tensors['transformer.wpe.weight'];
        writeVariant(folder, tensors);
      },
      'E_CHECKPOINT_TENSOR',
      /Tensor wpe\.weight is missing/,
    ],
    [
      'an unsupported config field',
      () => {
        writeVariant(folder, fixtureTensors(), { ...fixtureConfig(), scale_attn_by_inverse_layer_idx: true });
      },
      'E_CHECKPOINT_CONFIG',
      /scale_attn_by_inverse_layer_idx: true is not supported/,
    ],
  ];
  for (const [label, build, code, message] of cases) {
    it(`on ${label}`, async () => {
      build();
      const before = tf.memory().numTensors;
      const error = await rejection(loadGpt2Checkpoint(folder));
      expect(error.code).toBe(code);
      expect(error.message).toMatch(message);
      expect(tf.memory().numTensors).toBe(before);
    });
  }

  it('on a bad option', async () => {
    writeVariant(folder, fixtureTensors());
    const before = tf.memory().numTensors;
    const error = await rejection(loadGpt2Checkpoint(folder, { unexpectedTensors: 'maybe' as never }));
    expect(error.code).toBe('E_INVALID_VALUE');
    expect(tf.memory().numTensors).toBe(before);
  });
});
