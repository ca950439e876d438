// A loaded HookedTransformer seen as a TrainableLm, so that the training scripts' metrics (accuracy,
// bits/char) measure the committed models exactly as they measured them in training.
import type * as tf from '@tensorflow/tfjs-core';

import type { HookedTransformer } from '@tdhook/adapter-nlp';

import type { TrainableLm } from './trainable-lm.js';
import { moduleVariables } from './trainable-lm.js';

/** The model as a TrainableLm (saving is not offered: the folder is where it came from). */
export function loadedLm(model: HookedTransformer): TrainableLm {
  const { nLayers, dModel, nHeads, nCtx, dVocab, attnOnly } = model.config;
  return {
    config: { nLayers, dModel, nHeads, nCtx, dVocab, attnOnly },
    logits: (tokens) => model.call(tokens) as tf.Tensor3D,
    variables: moduleVariables(model),
    save: () => Promise.reject(new Error('loadedLm: the model is loaded from its folder; nothing to save.')),
    dispose: () => {
      model.dispose();
    },
  };
}
