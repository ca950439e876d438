// The MNIST CNN for the task-vector tests: loading it, fine-tuning a copy on one digit class (seeded by its
// data order: plain SGD over fixed batches, so the same weights every run), and per-class accuracy.
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { loadModel } from '@tdhook/adapter-cv';
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
 * Fine-tunes the dense head of `model` in place for `steps` SGD steps (learning rate `learningRate`) on training images of
 * `digit` only (the first ones of the training set, in fixed batches of `batchSize`), with cross-entropy
 * towards `digit`: afterwards the model leans towards predicting it.
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
  const optimizer = tf.train.sgd(learningRate);
  // The dense head only (fc1, logits): the conv kernels' gradient needs Conv2DBackpropFilter, which stock wasm
  // lacks (@tdhook/backend patches it; the tests run on unpatched backends).
  const variables = ['fc1', 'logits'].flatMap((name) =>
    model.getLayer(name).trainableWeights.map((weight) => weight.read() as tf.Variable),
  );
  try {
    for (let step = 0; step < steps; step++) {
      const pixels = new Float32Array(batchSize * 784);
      for (let row = 0; row < batchSize; row++) {
        const index = picked[(step * batchSize + row) % picked.length] as number;
        pixels.set(images.subarray(index * 784, (index + 1) * 784), row * 784);
      }
      tf.tidy(() => {
        const x = tf.tensor4d(pixels, [batchSize, 28, 28, 1]);
        const target = tf.oneHot(tf.fill([batchSize], digit, 'int32'), 10);
        optimizer.minimize(
          () => tf.losses.softmaxCrossEntropy(target, model.apply(x, { training: true }) as tf.Tensor),
          false,
          variables,
        );
      });
    }
  } finally {
    optimizer.dispose();
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
