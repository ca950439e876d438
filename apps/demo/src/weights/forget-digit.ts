// Task vectors on the MNIST CNN: fine-tune a copy on one digit class only (every label that digit, so the
// copy learns to call everything that digit), take τ = θ_ft − θ_pre, and subtract it: θ_pre − α·τ (the forget
// vector, scaled) should stop the model from answering that digit while the other classes hold. chooseAlpha
// picks the α that forgets most among those that keep the other classes' accuracy.
import * as tf from '@tensorflow/tfjs-core';
import { loadModel } from '@tdhook/adapter-cv';
import { readParameters, withParameters, type TensorDict } from '@tdhook/core';
import { mnistCnnDir } from '@tdhook/cv-assets';
import { chooseAlpha, forgetVector } from '@tdhook/weights';
import type { LayersModel } from '@tensorflow/tfjs-layers';

import { accuracyOf, countCorrect, digitsOfClass, loadDigits, type Digits } from './held-out-digits.js';

/** The fine-tuning: small and seeded (no shuffling, fixed data), a second or two on wasm. */
export const forgetSetup = {
  digit: 7,
  /** Training images 30 000…34 999 (the CNN trained on 0…29 999); the `digit`s among them. */
  pool: { start: 30_000, count: 5000 },
  epochs: 1,
  batchSize: 32,
  learningRate: 1e-3,
} as const;

/** The fine-tuned parameters and how the fine-tuning went. */
export interface FineTuned {
  readonly parameters: TensorDict;
  readonly images: number;
  readonly steps: number;
  readonly seconds: number;
}

/** Fine-tunes a fresh copy of the MNIST CNN on the `digit`s of the pool; returns its parameters. */
export async function fineTuneOnDigit(): Promise<FineTuned> {
  const started = performance.now();
  const { model } = await loadModel(mnistCnnDir);
  const copy = model as LayersModel;
  const pool = loadDigits('train', forgetSetup.pool.start, forgetSetup.pool.count);
  const only = digitsOfClass(pool, forgetSetup.digit);
  pool.images.dispose();
  const optimizer = tf.train.adam(forgetSetup.learningRate);
  try {
    const images = only.labels.length;
    const labels = tf.tidy(() =>
      tf.oneHot(tf.tensor1d(new Int32Array(images).fill(forgetSetup.digit), 'int32'), 10),
    );
    copy.compile({
      optimizer,
      loss: (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.losses.softmaxCrossEntropy(yTrue, yPred),
    });
    await copy.fit(only.images, labels, {
      batchSize: forgetSetup.batchSize,
      epochs: forgetSetup.epochs,
      shuffle: false,
    });
    labels.dispose();
    return {
      parameters: readParameters(copy),
      images,
      steps: Math.ceil(images / forgetSetup.batchSize) * forgetSetup.epochs,
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    only.images.dispose();
    optimizer.dispose();
    copy.dispose();
  }
}

/** The α tried, in order: chooseAlpha keeps the first of equal accuracies. */
export const forgetAlphas = [0, 0.25, 0.5, 0.75, 1, 1.25, 1.5, 1.75, 2, 2.5, 3] as const;
/** Adequate: the other digits keep at least this share of the original model's accuracy on them. */
export const adequateShare = 0.95;

/** One α: accuracy on the forgotten digit and on the others, and whether chooseAlpha found it adequate. */
export interface ForgetPoint {
  readonly alpha: number;
  readonly forgotten: number;
  readonly rest: number;
  readonly adequate: boolean;
}

/** The sweep and chooseAlpha's pick. */
export interface ForgetResult {
  readonly fineTuned: Omit<FineTuned, 'parameters'>;
  /** The fine-tuned copy's accuracy on the digit and on the others. */
  readonly fineTunedAccuracy: { readonly forgotten: number; readonly rest: number };
  readonly original: { readonly forgotten: number; readonly rest: number };
  readonly points: readonly ForgetPoint[];
  readonly chosen: number;
  /** ‖τ‖ over all parameters, and ‖θ_pre‖, to say how far the fine-tuning moved. */
  readonly vectorNorm: number;
  readonly pretrainedNorm: number;
}

function norm(dict: TensorDict): number {
  const sum = tf.tidy(() => tf.addN(dict.keys().map((key) => tf.sum(tf.square(dict.getTensor(key))))));
  const value = Math.sqrt(sum.dataSync()[0] ?? Number.NaN);
  sum.dispose();
  return value;
}

/**
 * Fine-tunes, forms the forget vector and lets chooseAlpha sweep α on `model` (each α applied and restored
 * exactly): accuracy = 1 − accuracy on the digit, adequate = accuracy on the other digits ≥
 * {@link adequateShare} × the original's. Both callbacks' counts are kept for the plot: adequate runs first
 * for every α, on the same weights as accuracy.
 */
export async function forgetDigit(model: LayersModel, digits: Digits): Promise<ForgetResult> {
  const { digit } = forgetSetup;
  const isDigit = (label: number): boolean => label === digit;
  const isRest = (label: number): boolean => label !== digit;
  const originalCounts = countCorrect(model, digits);
  const original = {
    forgotten: accuracyOf(originalCounts, isDigit),
    rest: accuracyOf(originalCounts, isRest),
  };
  const fineTuned = await fineTuneOnDigit();
  using pretrained = readParameters(model);
  using finetuned = fineTuned.parameters;
  using forget = forgetVector(pretrained, finetuned);
  const fineTunedAccuracy = withParameters(model, finetuned, () => {
    const counts = countCorrect(model, digits);
    return { forgotten: accuracyOf(counts, isDigit), rest: accuracyOf(counts, isRest) };
  });
  const measured: { forgotten: number; rest: number }[] = [];
  const { alpha, results } = await chooseAlpha({
    model,
    pretrained,
    vectors: [forget],
    alphas: forgetAlphas,
    adequate: () => {
      const counts = countCorrect(model, digits);
      const point = { forgotten: accuracyOf(counts, isDigit), rest: accuracyOf(counts, isRest) };
      measured.push(point);
      return point.rest >= adequateShare * original.rest;
    },
    accuracy: () => 1 - (measured.at(-1)?.forgotten ?? Number.NaN),
  });
  return {
    fineTuned: { images: fineTuned.images, steps: fineTuned.steps, seconds: fineTuned.seconds },
    fineTunedAccuracy,
    original,
    points: results.map((result, index) => ({
      alpha: result.alpha,
      forgotten: measured[index]?.forgotten ?? Number.NaN,
      rest: measured[index]?.rest ?? Number.NaN,
      adequate: result.adequate,
    })),
    chosen: alpha,
    vectorNorm: norm(forget),
    pretrainedNorm: norm(pretrained),
  };
}
