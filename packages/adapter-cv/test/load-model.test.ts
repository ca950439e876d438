import { mkdirSync, mkdtempSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {} from '@tdhook/testing/vitest';
import { digitPaths, emotionModelDir, mnistCnnDir, mobileNetV2Dir, photoPaths } from '@tdhook/cv-assets';

import { describeModel, fileModelHandler, GraphModule, loadModel, readImageBatch } from '../src/index.js';
import { useBackendPatches } from './use-backend-patches.js';

useBackendPatches();

let scratch = '';
beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'tdhook-cv-load-'));
});
afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

async function expectCode(promise: Promise<unknown>, code: string, pattern: RegExp): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toMatchObject({ code });
  expect((error as Error).message).toMatch(pattern);
}

describe('loadModel', () => {
  it('loads the MNIST Layers model with its metadata, and it reads the digits right', async () => {
    const loaded = await loadModel(mnistCnnDir);
    expect(loaded.kind).toBe('layers');
    expect(loaded.metadata).toEqual({
      labels: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
      normalisation: 'unit',
    });
    const digits = await readImageBatch(digitPaths, { channels: 1, normalisation: 'unit' });
    const predicted = tf.tidy(() =>
      tf.argMax((loaded.model as tfl.LayersModel).predict(digits) as tf.Tensor, 1),
    );
    expect(Array.from(predicted.dataSync())).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    tf.dispose([digits, predicted]);
    loaded.dispose();
  });

  it('loads MobileNetV2 (2,619,461 parameters): the cat photo is Neutral', async () => {
    const loaded = await loadModel(mobileNetV2Dir());
    expect(loaded.kind).toBe('layers');
    expect(describeModel(loaded.model).parameters).toBe(2_619_461);
    expect(loaded.metadata.labels?.[2]).toBe('Neutral');
    const photo = await readImageBatch([photoPaths.chelsea], { size: [224, 224], normalisation: 'unit' });
    const probabilities = (loaded.model as tfl.LayersModel).predict(photo) as tf.Tensor;
    const values = Array.from(probabilities.dataSync());
    expect(values.indexOf(Math.max(...values))).toBe(2);
    expect(values[2]).toBeGreaterThan(0.8);
    tf.dispose([photo, probabilities]);
    loaded.dispose();
  });

  it('loads the emotion Graph model as a GraphModule: 7 probabilities per face', async () => {
    const loaded = await loadModel(emotionModelDir());
    expect(loaded.kind).toBe('graph');
    expect(loaded.model).toBeInstanceOf(GraphModule);
    const face = await readImageBatch([photoPaths.astronaut], {
      size: [64, 64],
      channels: 1,
      normalisation: 'symmetric',
    });
    const output = (loaded.model as GraphModule).call(face) as tf.Tensor;
    expect(output.shape).toEqual([1, 7]);
    const total = tf.sum(output);
    expect(total.dataSync()[0]).toBeCloseTo(1, 5);
    total.dispose();
    tf.dispose([face, output]);
    loaded.dispose();
  });

  it('accepts the model.json path as well as the folder', async () => {
    const loaded = await loadModel(join(mnistCnnDir, 'model.json'));
    expect(loaded.kind).toBe('layers');
    loaded.dispose();
  });
});

describe('fileModelHandler', () => {
  it('saves a Layers model to a folder and loads it back with identical predictions', async () => {
    const model = tfl.sequential({
      layers: [
        tfl.layers.dense({
          units: 4,
          inputShape: [3],
          activation: 'relu',
          kernelInitializer: tfl.initializers.glorotUniform({ seed: 1 }),
        }),
        tfl.layers.dense({ units: 2, kernelInitializer: tfl.initializers.glorotUniform({ seed: 2 }) }),
      ],
    });
    const folder = join(scratch, 'saved');
    await model.save(fileModelHandler(folder));
    const loaded = await loadModel(folder);
    const x = tf.tensor2d([
      [1, -2, 3],
      [0.5, 0.25, -1],
    ]);
    const [before, after] = [
      model.predict(x) as tf.Tensor,
      (loaded.model as tfl.LayersModel).predict(x) as tf.Tensor,
    ];
    expect(Array.from(after.dataSync())).toEqual(Array.from(before.dataSync()));
    tf.dispose([x, before, after]);
    model.dispose();
    loaded.dispose();
  });
});

describe('loadModel errors', () => {
  it('names a missing folder, a folder without model.json, and a missing weight shard (E_CV_FILE)', async () => {
    await expectCode(loadModel(join(scratch, 'nowhere')), 'E_CV_FILE', /No model at .*nowhere/);
    const empty = join(scratch, 'empty');
    mkdirSync(empty);
    await expectCode(loadModel(empty), 'E_CV_FILE', /Cannot read .*empty\/model\.json/);
    const noShard = join(scratch, 'no-shard');
    mkdirSync(noShard);
    copyFileSync(join(mnistCnnDir, 'model.json'), join(noShard, 'model.json'));
    await expectCode(loadModel(noShard), 'E_CV_FILE', /Weight file 'weights\.bin' .* is missing/);
  });

  it('rejects a model.json that is not JSON or not a TF.js model (E_CV_MODEL), changing nothing', async () => {
    const before = tf.memory().numTensors;
    const broken = join(scratch, 'broken');
    mkdirSync(broken);
    writeFileSync(join(broken, 'model.json'), '{ not json');
    await expectCode(loadModel(broken), 'E_CV_MODEL', /is not JSON/);
    const other = join(scratch, 'other');
    mkdirSync(other);
    writeFileSync(join(other, 'model.json'), JSON.stringify({ name: 'a package.json?' }));
    await expectCode(loadModel(other), 'E_CV_MODEL', /has no modelTopology/);
    const truncated = join(scratch, 'truncated');
    mkdirSync(truncated);
    copyFileSync(join(mnistCnnDir, 'model.json'), join(truncated, 'model.json'));
    writeFileSync(join(truncated, 'weights.bin'), new Uint8Array(100));
    await expectCode(
      loadModel(truncated),
      'E_CV_MODEL',
      /hold 100 bytes, and its weightsManifest describes 57640/,
    );
    expect(tf.memory().numTensors).toBe(before);
  });
});
