import * as tf from '@tensorflow/tfjs-core';

import { InvalidValueError } from '@tdhook/core';

import { HookedTransformer } from '../model/hooked-transformer.js';
import {
  writeGpt2Checkpoint,
  type SaveGpt2CheckpointOptions,
  type SavedGpt2Checkpoint,
} from './write-gpt2-checkpoint.js';

/**
 * Saves a {@link HookedTransformer} as a Hugging Face GPT-2 checkpoint folder that `loadGpt2Checkpoint` (and
 * `transformers`' `GPT2LMHeadModel.from_pretrained`) loads back identically: config.json (HF GPT-2 fields,
 * `"attn_only": true` for attention-only models) and the float32 weights with `GPT2LMHeadModel`'s names
 * (`transformer.` prefix, tied `lm_head` not stored) in model.safetensors, or, with `maxShardBytes`, in shards
 * with model.safetensors.index.json. Files are written whole or not at all; a folder that already holds a
 * checkpoint is refused unless `overwrite`. Leaves no tensor behind.
 *
 * @example
 * const model = HookedTransformer.create({ nLayers: 2, dModel: 64, nHeads: 4, nCtx: 32, dVocab: 96 }, { seed: 1 });
 * await saveGpt2Checkpoint(model, 'out/tiny', { extraConfig: { eos_token_id: 0 } });
 * const { model: again } = await loadGpt2Checkpoint('out/tiny');
 */
export async function saveGpt2Checkpoint(
  model: HookedTransformer,
  folder: string,
  options: SaveGpt2CheckpointOptions = {},
): Promise<SavedGpt2Checkpoint> {
  if (!((model as unknown) instanceof HookedTransformer)) {
    throw new InvalidValueError({
      what: 'saveGpt2Checkpoint saves a HookedTransformer',
      where: 'saveGpt2Checkpoint(model)',
      fix: 'Pass a model made by HookedTransformer.create, fromGpt2Weights or loadGpt2Checkpoint.',
    });
  }
  if (typeof folder !== 'string' || folder === '') {
    throw new InvalidValueError({
      what: 'The folder must be a non-empty path',
      where: 'saveGpt2Checkpoint(model, folder)',
      fix: "Pass a folder path, e.g. 'out/model'.",
    });
  }
  const weights = model.gpt2Weights();
  try {
    return await writeGpt2Checkpoint(folder, model.config, weights, options);
  } finally {
    tf.dispose(Object.values(weights));
  }
}
