// The MNIST CNN half of the weights section: pruning curves (magnitude vs attribution importance) and the
// forget-a-digit task vector, on one loaded model that every step restores exactly.
import { loadModel } from '@tdhook/adapter-cv';
import { mnistCnnDir } from '@tdhook/cv-assets';
import * as tf from '@tensorflow/tfjs-core';
import { gradientImportance, magnitudeImportance } from '@tdhook/weights';
import type { LayersModel } from '@tensorflow/tfjs-layers';

import type { DemoContext } from '../vision/demo-context.js';
import { attributionImportance, unitAttribution } from './attribution-importance.js';
import { forgetDigit, type ForgetResult } from './forget-digit.js';
import { loadDigits, type Digits } from './held-out-digits.js';
import { pruningCurve, type PruningCurve } from './pruning-curves.js';

/** Held-out digits (the slice training.json reports the CNN's accuracy on) and the calibration digits. */
export const mnistSlices = {
  heldOut: { start: 5000, count: 2000 },
  calibration: { start: 0, count: 500 },
} as const;

/** Mean softmax cross-entropy of the model on `digits`, for the Taylor importance's gradient. */
function crossEntropy(model: LayersModel, digits: Digits): tf.Scalar {
  return tf.tidy(() =>
    tf.losses.softmaxCrossEntropy<tf.Tensor, tf.Scalar>(
      tf.oneHot(tf.tensor1d(digits.labels, 'int32'), 10),
      model.apply(digits.images) as tf.Tensor,
    ),
  );
}

/** Both MNIST studies' results. */
export interface MnistWeightsResult {
  readonly curves: readonly PruningCurve[];
  readonly forget: ForgetResult;
  readonly heldOut: number;
}

/** Prunes the CNN both ways and makes it forget a digit; disposes everything it loaded. */
export async function studyMnistWeights(context: DemoContext): Promise<MnistWeightsResult> {
  const { model } = await loadModel(mnistCnnDir);
  const layers = model as LayersModel;
  const { heldOut, calibration } = mnistSlices;
  const digits = loadDigits('test', heldOut.start, heldOut.count);
  const calibrationDigits = loadDigits('test', calibration.start, calibration.count);
  try {
    const { value: curves } = await context.timed(
      'MNIST CNN: pruned by magnitude, attribution and Taylor importance at 10 amounts',
      () => {
        const units = unitAttribution(layers, calibrationDigits);
        using taylor = gradientImportance({
          model: layers,
          loss: () => crossEntropy(layers, calibrationDigits),
        });
        return [
          pruningCurve(layers, digits, 'magnitude |θ|', magnitudeImportance),
          pruningCurve(layers, digits, 'attribution × |θ|', attributionImportance(units)),
          pruningCurve(layers, digits, 'Taylor |θ ⊙ ∂loss/∂θ|', taylor.importance),
        ];
      },
    );
    const { value: forget } = await context.timed(
      'MNIST CNN: fine-tuned on one digit, its forget vector swept over α',
      () => forgetDigit(layers, digits),
    );
    return { curves, forget, heldOut: heldOut.count };
  } finally {
    digits.images.dispose();
    calibrationDigits.images.dispose();
    layers.dispose();
  }
}
