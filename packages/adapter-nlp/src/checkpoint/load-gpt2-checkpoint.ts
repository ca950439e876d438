import * as tf from '@tensorflow/tfjs-core';

import { InvalidValueError } from '@tdhook/core';

import type { ResolvedTransformerConfig } from '../model/config.js';
import { HookedTransformer } from '../model/hooked-transformer.js';
import type { UnexpectedTensors } from './gpt2-weight-match.js';
import { readGpt2Checkpoint } from './read-gpt2-checkpoint.js';

/**
 * Options of {@link loadGpt2Checkpoint}.
 *
 * @example
 * await loadGpt2Checkpoint('models/gpt2', { unexpectedTensors: 'ignore' });
 */
export interface LoadGpt2CheckpointOptions {
  /**
   * Tensors the config does not call for (beyond the attention-mask buffers and a tied `lm_head.weight`,
   * which are always skipped): `'error'` (default) refuses the checkpoint naming them, `'ignore'` skips them.
   */
  readonly unexpectedTensors?: UnexpectedTensors;
}

/**
 * A GPT-2 checkpoint loaded from a folder: the model (the caller disposes it), its resolved config, config.json
 * as read (for fields such as `eos_token_id`), and where it came from. A tokenizer in the same folder is read
 * with `loadTokenizer(folder)`.
 *
 * @example
 * const { model, config, hfConfig, folder } = await loadGpt2Checkpoint('models/gpt2');
 * const tokenizer = await loadTokenizer(folder);
 */
export interface LoadedGpt2Checkpoint {
  readonly model: HookedTransformer;
  readonly config: ResolvedTransformerConfig;
  readonly hfConfig: Readonly<Record<string, unknown>>;
  readonly folder: string;
  /** The weight files read, relative to the folder: `['model.safetensors']` or the shards. */
  readonly weightFiles: readonly string[];
}

function unexpectedOption(options: LoadGpt2CheckpointOptions): UnexpectedTensors {
  const value: unknown = (options as Record<string, unknown> | undefined)?.['unexpectedTensors'] ?? 'error';
  if (value !== 'error' && value !== 'ignore') {
    throw new InvalidValueError({
      what: `unexpectedTensors is ${JSON.stringify(value)}`,
      where: 'loadGpt2Checkpoint options.unexpectedTensors',
      fix: "Pass 'error' (the default) or 'ignore'.",
    });
  }
  return value;
}

/**
 * Loads a Hugging Face GPT-2-family checkpoint from a local folder into a {@link HookedTransformer}: config.json
 * (HF GPT-2 fields, plus tdhook's `"attn_only": true` extension) and the weights, as model.safetensors or as
 * shards with model.safetensors.index.json; names with or without the `transformer.` prefix; F32, F16 or BF16
 * (computed in float32); the attention-mask buffers (`h.N.attn.bias`, `attn.masked_bias`) and a tied
 * `lm_head.weight` skipped. Everything is read and checked before the first tensor exists: a config field tdhook
 * does not implement, a missing, unexpected or misshapen tensor, or a bad file is a {@link CheckpointError}
 * naming it, and no tensor stays allocated after a failure.
 *
 * @example
 * const { model } = await loadGpt2Checkpoint('packages/testing/reference/gpt2-tiny');
 * const logits = model.call(tf.tensor2d([[86, 28, 89]], [1, 3], 'int32')); // [1, 3, 96]
 * logits.dispose();
 * model.dispose();
 */
export async function loadGpt2Checkpoint(
  folder: string,
  options: LoadGpt2CheckpointOptions = {},
): Promise<LoadedGpt2Checkpoint> {
  const unexpected = unexpectedOption(options);
  const contents = await readGpt2Checkpoint(folder, unexpected);
  const weights: Record<string, tf.Tensor> = {};
  try {
    for (const [name, { shape, data }] of contents.weights)
      weights[name] = tf.tensor(data, [...shape], 'float32');
    const model = HookedTransformer.fromGpt2Weights(contents.config, weights);
    return {
      model,
      config: model.config,
      hfConfig: contents.hfConfig,
      folder,
      weightFiles: contents.weightFiles,
    };
  } finally {
    tf.dispose(Object.values(weights)); // the model holds its own copies
  }
}
