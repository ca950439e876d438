// The MNIST CNN for the task-vector tests: loading it, fine-tuning a copy on one digit class (seeded by its
// data order: plain SGD over fixed batches, so the same weights every run), and per-class accuracy.
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { loadModel } from '@tdhook/adapter-cv';
import { readParameters, TensorDict, writeParameters } from '@tdhook/core';
import { mnistCnnDir, readMnist } from '@tdhook/cv-assets';

/** Loads a fresh copy of the committed MNIST CNN. */
export async function loadMnistCnn(): Promise<tfl.LayersModel> {
  const loaded = await loadModel(mnistCnnDir);
  if (loaded.kind !== 'layers') throw new Error('the MNIST CNN is a Layers model');
  return loaded.model;
}

/** `count` MNIST images from `start` as a [count, 28, 28, 1] tensor (the caller disposes it) and their labels. */
export function mnistBatch(
  split: 'train' | 'test',
  start: number,
  count: number,
): { images: tf.Tensor4D; labels: Uint8Array } {
  const { images, labels } = readMnist(split, start, count);
  return { images: tf.tensor4d(images, [count, 28, 28, 1]), labels };
}

/**
 * Fine-tunes the dense head of `model` (fc1, logits) in place for `steps` SGD steps (learning rate
 * `learningRate`) on training images of `digit` only (the first ones of the training set, in fixed batches of
 * `batchSize`), with cross-entropy towards `digit`: afterwards the model leans towards predicting it. The
 * head is trained as plain TF.js on the frozen conv features (the conv kernels' gradient needs
 * Conv2DBackpropFilter, which stock wasm lacks), then written back with core's writeParameters.
 */
export function fineTuneOnDigit(
  model: tfl.LayersModel,
  options: { digit: number; steps: number; batchSize: number; learningRate: number },
): void {
  const { digit, steps, batchSize, learningRate } = options;
  const { images, labels } = readMnist('train', 0, 6000);
  const picked: number[] = [];
  labels.forEach((label, index) => {
    if (label === digit) picked.push(index);
  });
  const keys = ['fc1.kernel', 'fc1.bias', 'logits.kernel', 'logits.bias'] as const;
  using start = readParameters(model).select(...keys);
  const head = keys.map((key) => tf.variable(start.getTensor(key)));
  const [k1, b1, k2, b2] = head as [tf.Variable, tf.Variable, tf.Variable, tf.Variable];
  const optimizer = tf.train.sgd(learningRate);
  // conv1 … flatten: the frozen part.
  const features = (x: tf.Tensor): tf.Tensor =>
    model.layers.slice(0, 5).reduce((h, layer) => layer.apply(h) as tf.Tensor, x);
  try {
    for (let step = 0; step < steps; step++) {
      const pixels = new Float32Array(batchSize * 784);
      for (let row = 0; row < batchSize; row++) {
        const index = picked[(step * batchSize + row) % picked.length] ?? 0;
        pixels.set(images.subarray(index * 784, (index + 1) * 784), row * 784);
      }
      tf.tidy(() => {
        const h = features(tf.tensor4d(pixels, [batchSize, 28, 28, 1]));
        const target = tf.oneHot(tf.fill([batchSize], digit, 'int32'), 10);
        optimizer.minimize(
          () => {
            const logits = tf.add(tf.matMul(tf.relu(tf.add(tf.matMul(h, k1), b1)), k2), b2);
            return tf.losses.softmaxCrossEntropy(target, logits);
          },
          false,
          head,
        );
      });
    }
    using tuned = new TensorDict(
      Object.fromEntries(keys.map((key, i) => [key, tf.clone(head[i] as tf.Variable)])),
    );
    writeParameters(model, tuned);
  } finally {
    optimizer.dispose();
    tf.dispose(head);
  }
}

/** Accuracy on `digit`'s images and on all the others' among `count` test images from `start`. */
export function digitAccuracy(
  model: tfl.LayersModel,
  digit: number,
  start = 0,
  count = 2000,
): { digit: number; others: number } {
  const { images, labels } = mnistBatch('test', start, count);
  try {
    const predicted = tf.tidy(() => tf.argMax(model.predict(images) as tf.Tensor, -1).dataSync());
    let hitDigit = 0;
    let nDigit = 0;
    let hitOthers = 0;
    labels.forEach((label, index) => {
      const hit = predicted[index] === label ? 1 : 0;
      if (label === digit) {
        nDigit++;
        hitDigit += hit;
      } else hitOthers += hit;
    });
    return { digit: hitDigit / nDigit, others: hitOthers / (count - nDigit) };
  } finally {
    images.dispose();
  }
}
