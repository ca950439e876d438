// Matching the tensors of a checkpoint to the weights a GPT-2 config needs (gpt2WeightSpecs): names with or
// without the `transformer.` prefix, attention-mask buffers skipped, a tied lm_head checked, and every missing,
// unexpected, misshapen or non-float tensor refused by name.
import { gpt2WeightSpecs } from '../model/config.js';
import { CheckpointError } from './checkpoint-error.js';
import type { Gpt2ConfigMapping } from './gpt2-config.js';
import type { StoredTensor } from './checkpoint-files.js';
import { isSafetensorsFloatDtype } from '@tdhook/core/plugin';
import type { SafetensorsTensor } from './safetensors-read.js';

const prefix = 'transformer.';
/** `attn.bias` is the causal mask and `attn.masked_bias` its fill value: buffers that older HF saved, not weights. */
const maskBuffer = /^h\.\d+\.attn\.(bias|masked_bias)$/;
const lmHead = 'lm_head.weight';

/**
 * What to do with tensors the config does not call for: refuse them (`'error'`, the default) or skip them.
 *
 * @example
 * const unexpectedTensors: UnexpectedTensors = 'ignore';
 */
export type UnexpectedTensors = 'error' | 'ignore';

function listed(names: readonly string[]): string {
  const [first, ...rest] = names;
  if (rest.length === 0) return `${first}`;
  const shown = rest.slice(0, 4).join(', ');
  return `${first} (and ${rest.length} more: ${shown}${rest.length > 4 ? ', …' : ''})`;
}

function describeConfig({ config }: Gpt2ConfigMapping): string {
  return (
    `n_layer ${config.nLayers}, n_embd ${config.dModel}, n_head ${config.nHeads}, n_positions ${config.nCtx}, ` +
    `vocab_size ${config.dVocab}, n_inner ${config.dMlp}${config.attnOnly ? ', attn_only' : ''}`
  );
}

function sameValues(a: SafetensorsTensor, b: SafetensorsTensor): boolean {
  if (a.shape.length !== b.shape.length || a.shape.some((size, i) => size !== b.shape[i])) return false;
  return a.data.every((value, i) => Object.is(value, b.data[i]));
}

/**
 * The weights of a GPT-2 checkpoint under the names of {@link gpt2WeightSpecs} (no prefix), in spec order,
 * validated against the config. Throws a {@link CheckpointError} naming the first offending tensor and counting
 * the others.
 */
export function matchGpt2Weights(
  stored: readonly StoredTensor[],
  mapping: Gpt2ConfigMapping,
  unexpected: UnexpectedTensors,
): Map<string, SafetensorsTensor> {
  const byName = new Map<string, StoredTensor>();
  let head: StoredTensor | undefined;
  for (const entry of stored) {
    const name = entry.name.startsWith(prefix) ? entry.name.slice(prefix.length) : entry.name;
    if (maskBuffer.test(name)) continue;
    if (entry.name === lmHead) {
      head = entry;
      continue;
    }
    const twin = byName.get(name);
    if (twin !== undefined) {
      throw new CheckpointError('E_CHECKPOINT_TENSOR', {
        what: `The weight ${name} is stored twice, as ${twin.name} (${twin.file}) and as ${entry.name}`,
        file: entry.file,
        tensor: entry.name,
        fix: 'Keep one of the two copies.',
      });
    }
    byName.set(name, entry);
  }
  const files = [...new Set(stored.map(({ file }) => file))].join(', ') || 'the weights';
  const specs = gpt2WeightSpecs(mapping.config);
  const missing = specs.filter(({ name }) => !byName.has(name)).map(({ name }) => name);
  if (missing.length > 0) {
    throw new CheckpointError('E_CHECKPOINT_TENSOR', {
      what: `Tensor ${listed(missing)} is missing`,
      file: files,
      tensor: missing[0] ?? '',
      fix: `config.json describes a model with ${describeConfig(mapping)}; the weights must be that model's (with or without the "transformer." prefix).`,
    });
  }
  for (const spec of specs) {
    const entry = byName.get(spec.name) as StoredTensor;
    const { shape, dtype } = entry.tensor;
    if (shape.length !== spec.shape.length || shape.some((size, i) => size !== spec.shape[i])) {
      throw new CheckpointError('E_CHECKPOINT_TENSOR', {
        what: `Tensor ${entry.name} has shape [${shape.join(', ')}], but the config calls for [${spec.shape.join(', ')}]`,
        file: entry.file,
        tensor: entry.name,
        fix: `config.json describes a model with ${describeConfig(mapping)}; check that config.json belongs to these weights.`,
      });
    }
    if (!isSafetensorsFloatDtype(dtype)) {
      throw new CheckpointError('E_CHECKPOINT_TENSOR', {
        what: `Tensor ${entry.name} is ${dtype}, not a float dtype`,
        file: entry.file,
        tensor: entry.name,
        fix: 'Weights must be stored as F32, F16 or BF16.',
      });
    }
  }
  const expected = new Set(specs.map(({ name }) => name));
  const extra = [...byName].filter(([name]) => !expected.has(name)).map(([, entry]) => entry);
  if (extra.length > 0 && unexpected === 'error') {
    throw new CheckpointError('E_CHECKPOINT_TENSOR', {
      what: `Tensor ${listed(extra.map(({ name }) => name))} is not part of the model config.json describes`,
      file: extra[0]?.file ?? files,
      tensor: extra[0]?.name ?? '',
      fix: `config.json describes a model with ${describeConfig(mapping)}; check that it belongs to these weights, or pass { unexpectedTensors: 'ignore' } to skip tensors the model does not use.`,
    });
  }
  const wte = byName.get('wte.weight') as StoredTensor;
  if (head !== undefined && !sameValues(head.tensor, wte.tensor)) {
    throw new CheckpointError('E_CHECKPOINT_TENSOR', {
      what: "lm_head.weight differs from wte.weight; tdhook's GPT-2 ties the unembedding to the token embedding",
      file: head.file,
      tensor: head.name,
      fix: 'Only checkpoints whose lm_head is wte (tie_word_embeddings) can be loaded.',
    });
  }
  if (head === undefined && !mapping.tieWordEmbeddings) {
    throw new CheckpointError('E_CHECKPOINT_CONFIG', {
      what: 'tie_word_embeddings is false and the weights hold no lm_head.weight',
      file: 'config.json',
      field: 'tie_word_embeddings',
      fix: "tdhook's GPT-2 ties the unembedding to wte; load a checkpoint with tie_word_embeddings: true (or an lm_head equal to wte).",
    });
  }
  return new Map(specs.map(({ name }) => [name, (byName.get(name) as StoredTensor).tensor]));
}
