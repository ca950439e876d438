// A sparse autoencoder on the Moby Dick character model's residual stream (@tdhook/weights): trained on
// activations cached from the novel's first 95 %, then read on held-out text: reconstruction, L0, the model's
// next-character loss with the autoencoder spliced in (against the clean model and the stream zeroed), and
// the top-activating text of a few features.
import * as tf from '@tensorflow/tfjs-core';
import { TensorDict } from '@tdhook/core';
import { loadMobyCharModel } from '@tdhook/nlp-assets';
import {
  dictionaryMetrics,
  nextTokenLoss,
  SparseAutoencoder,
  splicedEvaluation,
  trainSparseAutoencoder,
} from '@tdhook/weights';

import { cacheCharWindows, saeHook, type CharWindows } from './char-activations.js';
import { featureSnippets, type FeatureSnippets } from './feature-snippets.js';

/** The autoencoder and its training: seeded, a few seconds on wasm. */
export const saeSetup = {
  features: 256,
  /** TopK: exactly k features per position, so no L1 strength to tune for a short run. */
  topK: 16,
  epochs: 4,
  batchSize: 256,
  learningRate: 2e-3,
  seed: 16,
  trainWindows: 128,
  heldOutWindows: 48,
  trainSeed: 161,
  heldOutSeed: 162,
} as const;

/** What the section reports about the autoencoder. */
export interface CharSaeResult {
  readonly dModel: number;
  readonly trainRows: number;
  readonly heldOutRows: number;
  readonly trainSeconds: number;
  readonly steps: number;
  readonly finalTrainMse: number;
  readonly metrics: {
    readonly mse: number;
    readonly explainedVariance: number;
    readonly l0: number;
    readonly deadFraction: number;
  };
  /** Mean next-character cross-entropy (nats) on the held-out windows, and the fraction recovered. */
  readonly losses: {
    readonly clean: number;
    readonly spliced: number;
    readonly zeroAblated: number;
    readonly lossRecovered: number;
  };
  readonly features: readonly FeatureSnippets[];
}

/** Trains the autoencoder and measures it; everything it made is disposed before it returns. */
export async function studyCharSae(log: (message: string) => void): Promise<CharSaeResult> {
  const { model } = await loadMobyCharModel();
  let train: CharWindows | undefined;
  let heldOut: CharWindows | undefined;
  const sae = new SparseAutoencoder({
    inputSize: model.config.dModel,
    features: saeSetup.features,
    activation: { topK: saeSetup.topK },
    seed: saeSetup.seed,
  });
  try {
    train = await cacheCharWindows(model, 'train', saeSetup.trainWindows, saeSetup.trainSeed);
    heldOut = await cacheCharWindows(model, 'held-out', saeSetup.heldOutWindows, saeSetup.heldOutSeed);
    const started = performance.now();
    const history = await trainSparseAutoencoder(sae, {
      data: train.rows,
      key: 'resid',
      epochs: saeSetup.epochs,
      batchSize: saeSetup.batchSize,
      learningRate: saeSetup.learningRate,
      seed: saeSetup.seed,
    });
    const trainSeconds = (performance.now() - started) / 1000;
    log(
      `sparse autoencoder (${String(saeSetup.features)} features) trained on ${String(train.rows.batchShape[0])} activations: ${String(history.steps)} steps, ${trainSeconds.toFixed(1)} s`,
    );
    const metrics = await dictionaryMetrics(sae, { data: heldOut.rows, key: 'resid' });
    using data = new TensorDict({ input: heldOut.inputs.clone() }, { batchShape: [heldOut.text.length] });
    const losses = splicedEvaluation({ model, adapter: sae, from: saeHook, data, loss: nextTokenLoss() });
    const activations = tf.tidy(() => sae.encode(heldOut?.rows.getTensor('resid') as tf.Tensor));
    const values = activations.dataSync() as Float32Array;
    activations.dispose();
    return {
      dModel: model.config.dModel,
      trainRows: train.rows.batchShape[0] ?? 0,
      heldOutRows: heldOut.rows.batchShape[0] ?? 0,
      trainSeconds,
      steps: history.steps,
      finalTrainMse: history.mse.at(-1) ?? Number.NaN,
      metrics: {
        mse: metrics.mse,
        explainedVariance: metrics.explainedVariance,
        l0: metrics.l0,
        deadFraction: metrics.deadFraction,
      },
      losses,
      features: featureSnippets(values, saeSetup.features, heldOut.text, 4, 6),
    };
  } finally {
    train?.dispose();
    heldOut?.dispose();
    sae.dispose();
    model.dispose();
  }
}
