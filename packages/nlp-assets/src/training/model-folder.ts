// Writes a trained model as a Hugging Face GPT-2 folder (config.json + model.safetensors) plus the
// tdhook-tokenizer.json of the contract, and reads the weights back, without @tdhook/adapter-nlp.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import * as tf from '@tensorflow/tfjs-core';

import type { PlainGpt2Config } from './plain-gpt2.js';

/**
 * The tokenizer file of a char or word model (`tdhook-tokenizer.json`), as the contract defines it.
 *
 * @example
 * const tokenizer: TdhookTokenizerJson = { kind: 'word', vocab: ['<unk>', 'Mary'], unknown: '<unk>', lowercase: false };
 */
export interface TdhookTokenizerJson {
  readonly kind: 'char' | 'word';
  readonly vocab: readonly string[];
  readonly unknown: string | null;
  readonly lowercase: boolean;
}

/** HF GPT-2 config.json fields for a config (attention-only models add `attn_only`). */
export function gpt2ConfigJson(config: PlainGpt2Config): Record<string, unknown> {
  return {
    model_type: 'gpt2',
    architectures: ['GPT2LMHeadModel'],
    n_layer: config.nLayers,
    n_head: config.nHeads,
    n_embd: config.dModel,
    n_positions: config.nCtx,
    n_ctx: config.nCtx,
    vocab_size: config.dVocab,
    n_inner: config.dMlp ?? null,
    activation_function: 'gelu_new',
    layer_norm_epsilon: 1e-5,
    tie_word_embeddings: true,
    ...(config.attnOnly ? { attn_only: true } : {}),
  };
}

/** Safetensors bytes of F32 tensors (sorted names, header padded to 8 bytes). */
export function safetensorsBytes(tensors: Readonly<Record<string, tf.Tensor>>): Uint8Array {
  const names = Object.keys(tensors).sort();
  const header: Record<string, unknown> = { __metadata__: { format: 'pt' } };
  let offset = 0;
  const datas = names.map((name) => {
    const tensor = tensors[name] as tf.Tensor;
    const data = tensor.dataSync() as Float32Array;
    header[name] = { dtype: 'F32', shape: tensor.shape, data_offsets: [offset, offset + data.byteLength] };
    offset += data.byteLength;
    return data;
  });
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (json.length % 8)) % 8);
  const headerBytes = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + headerBytes.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let at = 8 + headerBytes.length;
  for (const data of datas) {
    out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), at);
    at += data.byteLength;
  }
  return out;
}

/** Reads every F32 tensor of a safetensors file (names without a `transformer.` prefix). */
export function readSafetensorsFile(path: string): Record<string, tf.Tensor> {
  const bytes = readFileSync(path);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = Number(view.getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))) as Record<
    string,
    { dtype: string; shape: number[]; data_offsets: [number, number] }
  >;
  const out: Record<string, tf.Tensor> = {};
  for (const [name, info] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const [start, end] = info.data_offsets;
    const data = new Float32Array((end - start) / 4);
    new Uint8Array(data.buffer).set(bytes.subarray(8 + n + start, 8 + n + end));
    out[name.replace(/^transformer\./, '')] = tf.tensor(data, info.shape, 'float32');
  }
  return out;
}

/** Writes config.json, model.safetensors and tdhook-tokenizer.json into `dir`. */
export function writeModelFolder(
  dir: string,
  config: PlainGpt2Config,
  weights: Readonly<Record<string, tf.Tensor>>,
  tokenizer: TdhookTokenizerJson,
): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'config.json'), `${JSON.stringify(gpt2ConfigJson(config), null, 2)}\n`);
  writeFileSync(join(dir, 'model.safetensors'), safetensorsBytes(weights));
  writeFileSync(join(dir, 'tdhook-tokenizer.json'), `${JSON.stringify(tokenizer, null, 2)}\n`);
}
