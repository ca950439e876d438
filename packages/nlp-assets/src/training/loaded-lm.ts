// A HookedTransformer (loaded, or freshly made by hookedLm) seen as a TrainableLm, so that the training
// scripts' metrics (accuracy, bits/char) measure the committed models exactly as they measured them in training.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

import type * as tf from '@tensorflow/tfjs-core';

import {
  saveGpt2Checkpoint,
  tdhookTokenizerFileName,
  type HookedTransformer,
  type TdhookTokenizerFile,
} from '@tdhook/adapter-nlp';
import { Module, namedModules } from '@tdhook/core';

import { writeJsonFile } from './script-io.js';
import type { TrainableLm } from './trainable-lm.js';

/** The model as a TrainableLm (to measure it, or to train it further). */
export function loadedLm(model: HookedTransformer): TrainableLm {
  const { nLayers, dModel, nHeads, nCtx, dVocab, attnOnly } = model.config;
  return {
    config: { nLayers, dModel, nHeads, nCtx, dVocab, attnOnly },
    logits: (tokens) => model.call(tokens) as tf.Tensor3D,
    variables: moduleVariables(model),
    save: (dir, tokenizer) => saveHookedLm(model, dir, tokenizer),
    dispose: () => {
      model.dispose();
    },
  };
}

/** Writes a HookedTransformer with saveGpt2Checkpoint (replacing a checkpoint there) and its tokenizer file. */
async function saveHookedLm(
  model: HookedTransformer,
  dir: string,
  tokenizer: TdhookTokenizerFile,
): Promise<void> {
  mkdirSync(dir, { recursive: true });
  await saveGpt2Checkpoint(model, dir, { overwrite: true });
  writeJsonFile(join(dir, tdhookTokenizerFileName), tokenizer);
}

/** Every variable of a core Module tree (a HookedTransformer's parameters), in module order. */
function moduleVariables(root: Module<never[], unknown>): tf.Variable[] {
  const found: tf.Variable[] = [];
  for (const [, node] of namedModules(root)) {
    if (node instanceof Module) for (const [, parameter] of node.namedParameters()) found.push(parameter);
  }
  return found;
}
