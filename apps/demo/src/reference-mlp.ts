import * as tf from '@tensorflow/tfjs-core';
import { tensorFromSpec, type ReferenceModel } from '@tdhook/testing';

/** The reference MLP's weights as tensors: `fc1`..`fc3`, each a TF.js-layout kernel `[in,out]` and a bias. */
export type MlpWeights = Readonly<Record<'fc1' | 'fc2' | 'fc3', { kernel: tf.Tensor2D; bias: tf.Tensor1D }>>;

/** Makes the weight tensors; the caller disposes them with {@link disposeMlp}. */
export function createMlp(model: ReferenceModel): MlpWeights {
  const layer = (name: string): { kernel: tf.Tensor2D; bias: tf.Tensor1D } => {
    const kernel = model.paramsTfjs[`${name}.kernel`];
    const bias = model.paramsTfjs[`${name}.bias`];
    if (kernel === undefined || bias === undefined)
      throw new Error(`The MLP fixture lacks ${name}.kernel or ${name}.bias`);
    return { kernel: tensorFromSpec(kernel) as tf.Tensor2D, bias: tensorFromSpec(bias) as tf.Tensor1D };
  };
  return { fc1: layer('fc1'), fc2: layer('fc2'), fc3: layer('fc3') };
}

/** fc1 → ReLU → fc2 → ReLU → fc3, as the PyTorch reference computes it. */
export function mlpLogits(weights: MlpWeights, x: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const dense = (
      input: tf.Tensor2D,
      { kernel, bias }: { kernel: tf.Tensor2D; bias: tf.Tensor1D },
    ): tf.Tensor2D => tf.add(tf.matMul(input, kernel), bias);
    const h1 = tf.relu(dense(x, weights.fc1));
    const h2 = tf.relu(dense(h1, weights.fc2));
    return dense(h2, weights.fc3);
  });
}

/** Disposes the weight tensors made by {@link createMlp}. */
export function disposeMlp(weights: MlpWeights): void {
  tf.dispose(Object.values(weights).flatMap(({ kernel, bias }) => [kernel, bias]));
}
