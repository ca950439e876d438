import { readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';

import { digitPaths, digitTestIndexes, mnistCnnDir, mnistCnnInput, readMnist } from '../src/index.js';
import { fileModelHandler } from './file-model-handler.js';

interface TrainingFacts {
  readonly params: number;
  readonly testAccuracy: { readonly accuracy: number };
  readonly heldOutSlice: {
    readonly split: 'test';
    readonly start: number;
    readonly count: number;
    readonly accuracy: number;
  };
}

const training = JSON.parse(readFileSync(join(mnistCnnDir, 'training.json'), 'utf8')) as TrainingFacts;

/** Predicted classes of `count` images (count × 784 values in [0, 1]), in batches of 500. */
function classify(model: tfl.LayersModel, images: Float32Array, count: number): Int32Array {
  const predicted = new Int32Array(count);
  for (let offset = 0; offset < count; offset += 500) {
    const n = Math.min(500, count - offset);
    const classes = tf.tidy(() => {
      const x = tf.tensor4d(images.subarray(offset * 784, (offset + n) * 784), [n, 28, 28, 1]);
      return tf.argMax(model.predict(x) as tf.Tensor, -1);
    });
    predicted.set(classes.dataSync(), offset);
    classes.dispose();
  }
  return predicted;
}

describe('the MNIST CNN (models/mnist-cnn)', () => {
  it('has the documented layers and parameter count', async () => {
    const before = tf.memory().numTensors;
    const model = await tfl.loadLayersModel(fileModelHandler(mnistCnnDir));
    expect(model.layers.map((layer) => layer.name)).toEqual([
      'conv1',
      'pool1',
      'conv2',
      'pool2',
      'flatten',
      'fc1',
      'logits',
    ]);
    expect(model.inputs[0]?.shape).toEqual([null, ...mnistCnnInput.size, 1]);
    expect(model.outputs[0]?.shape).toEqual([null, 10]);
    expect(model.countParams()).toBe(training.params);
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it(`classifies the held-out test slice as training.json states, without leaking tensors`, async () => {
    const { start, count, accuracy: stated } = training.heldOutSlice;
    const before = tf.memory().numTensors;
    const model = await tfl.loadLayersModel(fileModelHandler(mnistCnnDir));
    const { images, labels } = readMnist('test', start, count);
    const predicted = classify(model, images, count);
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);

    const accuracy = labels.filter((label, i) => predicted[i] === label).length / count;
    expect(accuracy).toBeGreaterThanOrEqual(0.95);
    expect(Math.abs(accuracy - stated)).toBeLessThanOrEqual(0.005);
    expect(training.testAccuracy.accuracy).toBeGreaterThanOrEqual(0.97);
  });
});

describe('the digits (digits/)', () => {
  const decode = (path: string): PNG => PNG.sync.read(readFileSync(path));

  it('are ten 28×28 PNGs, one per label, equal to their MNIST test images', () => {
    expect(
      readdirSync(dirname(digitPaths[0] as string))
        .filter((f) => f.endsWith('.png'))
        .sort(),
    ).toEqual(digitPaths.map((path) => basename(path)).sort());
    digitPaths.forEach((path, label) => {
      const png = decode(path);
      expect([png.width, png.height]).toEqual([28, 28]);
      const index = digitTestIndexes[label] as number;
      expect(basename(path)).toBe(`digit-${label}-test${index}.png`);
      const { images, labels } = readMnist('test', index, 1);
      expect(labels[0]).toBe(label);
      // Greyscale: red = green = blue = the MNIST byte.
      const grey = Array.from({ length: 784 }, (_, i) => png.data[i * 4] as number);
      expect(grey).toEqual(Array.from(images, (value) => Math.round(value * 255)));
    });
  });

  it('are each classified as their label', async () => {
    const model = await tfl.loadLayersModel(fileModelHandler(mnistCnnDir));
    const images = new Float32Array(10 * 784);
    digitPaths.forEach((path, label) => {
      const { data } = decode(path);
      for (let i = 0; i < 784; i++) images[label * 784 + i] = (data[i * 4] as number) / 255;
    });
    const predicted = classify(model, images, 10);
    model.dispose();
    expect(Array.from(predicted)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });
});

describe('readMnist', () => {
  it('reads labels and pixels in [0, 1] from the IDX files', () => {
    const { images, labels } = readMnist('test', 0, 5);
    expect(Array.from(labels)).toEqual([7, 2, 1, 0, 4]);
    expect(images.length).toBe(5 * 784);
    expect(Math.min(...images)).toBe(0);
    expect(Math.max(...images)).toBe(1);
    expect(readMnist('train', 59_999, 1).labels.length).toBe(1);
  });

  it('rejects slices outside the set', () => {
    expect(() => readMnist('test', 9_999, 2)).toThrow(RangeError);
    expect(() => readMnist('train', -1, 1)).toThrow(RangeError);
    expect(() => readMnist('train', 0.5, 1)).toThrow(RangeError);
  });
});
