// The MNIST CNN and the ten digit images (0 to 9, in order) that the explain tests share, loaded once per file.
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll } from 'vitest';
import { digitPaths, mnistCnnDir } from '@tdhook/cv-assets';

import { loadModel, readImageBatch } from '../src/index.js';

export interface MnistDigits {
  model: tfl.LayersModel;
  digits: tf.Tensor4D;
}

/** Loads the model and the digits before the file's tests and disposes of both after them. */
export function useMnistDigits(): MnistDigits {
  const fixture = {} as MnistDigits;
  beforeAll(async () => {
    const loaded = await loadModel(mnistCnnDir);
    if (loaded.kind !== 'layers') throw new Error('the MNIST CNN is a Layers model');
    fixture.model = loaded.model;
    fixture.digits = tf.keep(await readImageBatch(digitPaths, { channels: 1, normalisation: 'unit' }));
  });
  afterAll(() => {
    fixture.digits.dispose();
    fixture.model.dispose();
  });
  return fixture;
}
