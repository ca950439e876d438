// A loaded HookedTransformer seen as a TrainableLm, so that the training scripts' metrics (accuracy,
// bits/char) measure the committed models exactly as they measured them in training.
import type * as tf from '@tensorflow/tfjs-core';

import type { HookedTransformer } from '@tdhook/adapter-nlp';

import { moduleVariables, saveHookedLm, type TrainableLm } from './trainable-lm.js';

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
