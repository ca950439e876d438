// What the training scripts need of a language model: logits, its trainable variables and its weights in
// Hugging Face GPT-2 names. Two implementations: the plain forward (plain-gpt2.ts) and @tdhook/adapter-nlp's
// HookedTransformer.
import type * as tf from '@tensorflow/tfjs-core';

import { initPlainGpt2, plainGpt2Logits, type PlainGpt2Config } from './plain-gpt2.js';

/** A language model being trained. */
export interface TrainableLm {
  readonly config: PlainGpt2Config;
  /** Logits `[b, s, dVocab]` of int32 tokens `[b, s]`. */
  logits(tokens: tf.Tensor2D): tf.Tensor3D;
  readonly variables: readonly tf.Variable[];
  /** The weights under Hugging Face GPT-2 names (read-only views or copies: do not dispose). */
  weights(): Readonly<Record<string, tf.Tensor>>;
  dispose(): void;
}

/** The plain GPT-2 forward over seeded, GPT-2-initialised variables. */
export function plainLm(config: PlainGpt2Config, seed: number): TrainableLm {
  const weights = initPlainGpt2(config, seed);
  return {
    config,
    logits: (tokens) => plainGpt2Logits(config, weights, tokens),
    variables: Object.values(weights),
    weights: () => weights,
    dispose: () => {
      for (const variable of Object.values(weights)) variable.dispose();
    },
  };
}
