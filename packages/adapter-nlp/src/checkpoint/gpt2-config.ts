// config.json (Hugging Face GPT-2 fields) ↔ TransformerConfig. The loader refuses every field whose value
// changes the computation in a way tdhook's GPT-2 does not implement, naming it; it never ignores one silently.
import type { ActivationFunction, ResolvedTransformerConfig } from '../model/config.js';
import { CheckpointError } from './checkpoint-error.js';

/** What config.json says, mapped: the resolved model config and whether the unembedding is tied to `wte`. */
export interface Gpt2ConfigMapping {
  readonly config: ResolvedTransformerConfig;
  readonly tieWordEmbeddings: boolean;
}

/** HF activation names that compute the same function as one of ours. */
const activations: Readonly<Record<string, ActivationFunction>> = {
  gelu_new: 'gelu_new',
  gelu_pytorch_tanh: 'gelu_new', // the same tanh approximation, fused in PyTorch
  gelu: 'gelu',
  relu: 'relu',
};

/** Boolean fields whose non-default value changes the computation; the value tdhook implements. */
const fixedFlags: readonly (readonly [field: string, supported: boolean, effect: string])[] = [
  ['scale_attn_weights', true, 'attention scores are always scaled by 1/√d_head'],
  ['scale_attn_by_inverse_layer_idx', false, 'attention scores are not scaled by 1/(layer index + 1)'],
  ['reorder_and_upcast_attn', false, 'attention is computed in float32 in the standard order'],
  ['add_cross_attention', false, 'the blocks have no cross-attention (encoder-decoder use)'],
];

function configError(field: string, what: string, fix: string, file: string): CheckpointError {
  return new CheckpointError('E_CHECKPOINT_CONFIG', { what, file, field, fix });
}

function positiveInteger(json: Record<string, unknown>, field: string, file: string): number {
  const value = json[field];
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    throw configError(
      field,
      `${field} is ${JSON.stringify(value)}, not a positive integer`,
      `Set "${field}" to the model's size.`,
      file,
    );
  }
  return value;
}

/**
 * Maps the fields of a Hugging Face GPT-2 config.json to a resolved {@link ResolvedTransformerConfig}: `n_layer`,
 * `n_head`, `n_embd`, `n_positions` (or `n_ctx`), `vocab_size`, `n_inner` (null: 4·n_embd),
 * `activation_function`, `layer_norm_epsilon`, and tdhook's one extension `attn_only`. Dropout and generation
 * fields are ignored (inference only); fields that would change the computation in a way this GPT-2 does not
 * implement are refused, naming them.
 */
export function gpt2ConfigFromJson(json: unknown, file: string): Gpt2ConfigMapping {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new CheckpointError('E_CHECKPOINT_CONFIG', {
      what: 'config.json is not a JSON object',
      file,
      fix: 'Give the folder the config.json that Hugging Face saved with the model.',
    });
  }
  const fields = json as Record<string, unknown>;
  if (fields['model_type'] !== 'gpt2') {
    throw configError(
      'model_type',
      `model_type is ${JSON.stringify(fields['model_type'])}; tdhook loads GPT-2 checkpoints ("gpt2") only`,
      'Load a GPT-2-family checkpoint (gpt2, distilgpt2, gpt2-medium, …), or convert the model to the GPT-2 layout.',
      file,
    );
  }
  for (const [field, supported, effect] of fixedFlags) {
    const value = fields[field];
    if (value === undefined || value === null || value === supported) continue;
    throw configError(
      field,
      typeof value === 'boolean'
        ? `${field}: ${String(value)} is not supported (tdhook's GPT-2: ${effect})`
        : `${field} is ${JSON.stringify(value)}, not a boolean`,
      typeof value === 'boolean'
        ? `The checkpoint needs ${field}: ${String(value)}, which tdhook does not implement; only ${field}: ${String(supported)} models load.`
        : `Set ${field} to ${String(supported)} (or remove it).`,
      file,
    );
  }
  const tie = fields['tie_word_embeddings'] ?? true;
  if (typeof tie !== 'boolean') {
    throw configError('tie_word_embeddings', 'tie_word_embeddings is not a boolean', 'Set it to true.', file);
  }
  const nLayers = positiveInteger(fields, 'n_layer', file);
  const nHeads = positiveInteger(fields, 'n_head', file);
  const dModel = positiveInteger(fields, 'n_embd', file);
  const dVocab = positiveInteger(fields, 'vocab_size', file);
  const nCtx = positiveInteger(fields, fields['n_positions'] === undefined ? 'n_ctx' : 'n_positions', file);
  if (dModel % nHeads !== 0) {
    throw configError(
      'n_head',
      `n_embd ${dModel} is not a multiple of n_head ${nHeads}`,
      'GPT-2 splits n_embd evenly across the heads; fix n_embd or n_head.',
      file,
    );
  }
  const dMlp =
    fields['n_inner'] === undefined || fields['n_inner'] === null
      ? 4 * dModel
      : positiveInteger(fields, 'n_inner', file);
  const activation = fields['activation_function'] ?? 'gelu_new';
  const actFn =
    typeof activation === 'string' && Object.hasOwn(activations, activation)
      ? activations[activation]
      : undefined;
  if (actFn === undefined) {
    throw configError(
      'activation_function',
      `activation_function ${JSON.stringify(activation)} is not supported`,
      `Supported: ${Object.keys(activations).join(', ')}.`,
      file,
    );
  }
  const layerNormEps = fields['layer_norm_epsilon'] ?? 1e-5;
  if (typeof layerNormEps !== 'number' || !(layerNormEps > 0) || !Number.isFinite(layerNormEps)) {
    throw configError(
      'layer_norm_epsilon',
      `layer_norm_epsilon is ${JSON.stringify(layerNormEps)}, not a positive number`,
      "Set it to the model's LayerNorm ε (GPT-2: 1e-5).",
      file,
    );
  }
  const attnOnly = fields['attn_only'] ?? false;
  if (typeof attnOnly !== 'boolean') {
    throw configError(
      'attn_only',
      'attn_only is not a boolean',
      'Set it to true (blocks without MLP) or remove it.',
      file,
    );
  }
  return {
    config: {
      nLayers,
      dModel,
      nHeads,
      dHead: dModel / nHeads,
      nCtx,
      dVocab,
      dMlp,
      attnOnly,
      actFn,
      layerNormEps,
    },
    tieWordEmbeddings: tie,
  };
}

/**
 * The config.json tdhook writes for a model: the fields that define it in Hugging Face's names, the flags
 * that state how it computes (so that HF computes the same), `attn_only` only when true, and the caller's
 * extra fields (token ids, say). Keys sorted, as HF writes them.
 */
export function gpt2ConfigToJson(
  config: ResolvedTransformerConfig,
  extra: Readonly<Record<string, unknown>> = {},
): Record<string, unknown> {
  if (config.dHead * config.nHeads !== config.dModel) {
    throw new CheckpointError('E_CHECKPOINT_CONFIG', {
      what: `dHead ${config.dHead} × nHeads ${config.nHeads} is not dModel ${config.dModel}`,
      field: 'dHead',
      fix: 'A GPT-2 config.json cannot state a head width other than n_embd / n_head; such a model cannot be saved as GPT-2.',
    });
  }
  const own: Record<string, unknown> = {
    activation_function: config.actFn,
    architectures: ['GPT2LMHeadModel'],
    layer_norm_epsilon: config.layerNormEps,
    model_type: 'gpt2',
    n_ctx: config.nCtx,
    n_embd: config.dModel,
    n_head: config.nHeads,
    n_inner: config.dMlp === 4 * config.dModel ? null : config.dMlp,
    n_layer: config.nLayers,
    n_positions: config.nCtx,
    reorder_and_upcast_attn: false,
    scale_attn_by_inverse_layer_idx: false,
    scale_attn_weights: true,
    tie_word_embeddings: true,
    torch_dtype: 'float32',
    vocab_size: config.dVocab,
    ...(config.attnOnly ? { attn_only: true } : {}),
  };
  for (const key of Object.keys(extra)) {
    if (Object.hasOwn(own, key) || key === 'attn_only') {
      throw new CheckpointError('E_CHECKPOINT_CONFIG', {
        what: `extraConfig sets ${key}, which the model itself decides`,
        field: key,
        fix: `Remove ${key} from extraConfig; add only fields the model does not define (bos_token_id, eos_token_id, …).`,
      });
    }
  }
  const merged: Record<string, unknown> = { ...own, ...extra };
  return Object.fromEntries(
    Object.keys(merged)
      .sort()
      .map((key) => [key, merged[key]]),
  );
}
