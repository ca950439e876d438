// What the training scripts need of a language model: logits, its trainable variables, and a way to save it as
// a Hugging Face GPT-2 folder: @tdhook/adapter-nlp's HookedTransformer.
import * as tf from '@tensorflow/tfjs-core';

import { HookedTransformer, type TdhookTokenizerFile, type TransformerConfig } from '@tdhook/adapter-nlp';
import { Module, namedModules } from '@tdhook/core';

import { loadedLm } from './loaded-lm.js';

/** The sizes the scripts choose (the rest are GPT-2's defaults). */
export type LmConfig = Required<
  Pick<TransformerConfig, 'nLayers' | 'dModel' | 'nHeads' | 'nCtx' | 'dVocab' | 'attnOnly'>
>;

/** A language model being trained. */
export interface TrainableLm {
  readonly config: LmConfig;
  /** Logits `[b, s, dVocab]` of int32 tokens `[b, s]`. */
  logits(tokens: tf.Tensor2D): tf.Tensor3D;
  readonly variables: readonly tf.Variable[];
  /** Writes the model as a Hugging Face GPT-2 folder with its tdhook-tokenizer.json (replacing one there). */
  save(dir: string, tokenizer: TdhookTokenizerFile): Promise<void>;
  dispose(): void;
}

/**
 * @tdhook/adapter-nlp's HookedTransformer, seeded: what the scripts train. GPT-2's initialisation (std 0.02)
 * is made for d = 768; at d = 32–128 it leaves attention scores and logits near zero, and the small models
 * here then sit on a plateau for thousands of steps. With `initStd`, every matrix and embedding is drawn
 * again from N(0, initStd²) (residual projections from N(0, initStd²/(2·nLayers))); 1/√dModel is the usual
 * choice.
 */
export function hookedLm(
  config: LmConfig,
  seed: number,
  initStd?: number,
): TrainableLm & { readonly model: HookedTransformer } {
  const model = HookedTransformer.create(
    {
      nLayers: config.nLayers,
      dModel: config.dModel,
      nHeads: config.nHeads,
      nCtx: config.nCtx,
      dVocab: config.dVocab,
      attnOnly: config.attnOnly,
    },
    { seed },
  );
  if (initStd !== undefined) {
    let next = seed + 1000;
    for (const [path, node] of namedModules(model)) {
      if (!(node instanceof Module)) continue;
      for (const [, parameter] of node.namedParameters()) {
        if (parameter.rank !== 2) continue;
        const residual = path.endsWith('c_proj');
        const std = residual ? initStd / Math.sqrt(2 * config.nLayers) : initStd;
        tf.tidy(() => {
          parameter.assign(tf.randomNormal(parameter.shape, 0, std, 'float32', next++));
        });
      }
    }
  }
  return { ...loadedLm(model), model, config };
}
