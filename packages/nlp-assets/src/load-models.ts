// Loaders of the models trained here: the HookedTransformer, its tokenizer and its training facts.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import {
  loadGpt2Checkpoint,
  loadTokenizer,
  type HookedTransformer,
  type LoadedTokenizer,
} from '@tdhook/adapter-nlp';

import { modelDirs, type NlpModelName } from './model-dirs.js';

/**
 * A model trained here, loaded: the transformer (the caller disposes it), its tokenizer, its folder and
 * `training.json` as written by its training script (command, config, steps, seconds, held-out metric).
 *
 * @example
 * const { model, tokenizer, training }: LoadedNlpModel = await loadIoiModel();
 */
export interface LoadedNlpModel {
  readonly model: HookedTransformer;
  readonly tokenizer: LoadedTokenizer;
  readonly folder: string;
  readonly training: Readonly<Record<string, unknown>>;
}

/**
 * Loads one of the models trained here by its built-in name.
 *
 * @example
 * import { loadNlpModel } from '@tdhook/nlp-assets';
 * const { model, tokenizer } = await loadNlpModel('induction');
 * model.dispose();
 */
export async function loadNlpModel(name: NlpModelName): Promise<LoadedNlpModel> {
  const folder = modelDirs[name];
  const training = JSON.parse(readFileSync(join(folder, 'training.json'), 'utf8')) as Record<string, unknown>;
  const tokenizer = await loadTokenizer(folder);
  const { model } = await loadGpt2Checkpoint(folder);
  return { model, tokenizer, folder, training };
}

/**
 * The IOI model: 2-layer attention-only transformer, word-level tokens (`<unk>`, the template words, the 40
 * names of `ioiNames`). Feed it a prompt of `generateIoiPrompts` and read the logits at the last position.
 *
 * @example
 * import { loadIoiModel } from '@tdhook/nlp-assets';
 * const { model, tokenizer } = await loadIoiModel();
 * const ids = tokenizer.encode('When Mary and John went to the store, John gave a drink to');
 * model.dispose();
 */
export function loadIoiModel(): Promise<LoadedNlpModel> {
  return loadNlpModel('ioi');
}

/**
 * The induction model: 2-layer attention-only transformer over 32 tokens (written as the characters A–Z, a–f
 * by its char tokenizer), trained on `generateInductionBatch` sequences.
 *
 * @example
 * import { loadInductionModel } from '@tdhook/nlp-assets';
 * const { model } = await loadInductionModel();
 * model.dispose();
 */
export function loadInductionModel(): Promise<LoadedNlpModel> {
  return loadNlpModel('induction');
}

/**
 * The Moby Dick character model: 2-layer GPT-2 (with MLPs) over the lowercased novel's 57 characters.
 *
 * @example
 * import { loadMobyCharModel } from '@tdhook/nlp-assets';
 * const { model, tokenizer } = await loadMobyCharModel();
 * const ids = tokenizer.encode('call me ishmael.');
 * model.dispose();
 */
export function loadMobyCharModel(): Promise<LoadedNlpModel> {
  return loadNlpModel('moby-char');
}
