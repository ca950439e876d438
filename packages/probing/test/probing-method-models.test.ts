// probing on a TF.js Layers model (the MNIST CNN) and on the NLP transformer's hook points.
import * as tf from '@tensorflow/tfjs-core';
import { loadModel } from '@tdhook/adapter-cv';
import { HookedTransformer } from '@tdhook/adapter-nlp';
import { TensorDict } from '@tdhook/core';
import { mnistCnnDir, readMnist } from '@tdhook/cv-assets';
import type {} from '@tdhook/testing/vitest';
import { describe, expect, it } from 'vitest';

import { linearProbe, probing, ProbeManager } from '../src/index.js';
import { accuracyOf, scalarOf } from './probes-models.js';

const metrics = (predictions: tf.Tensor, labels: tf.Tensor | undefined) => ({
  accuracy: accuracyOf(predictions, labels),
});

describe('probing on other kinds of models', () => {
  it('MNIST CNN (Layers): a linear probe on fc1 trained on 300 digits classifies 200 unseen ones above 95%', async () => {
    const loaded = await loadModel(mnistCnnDir);
    const digits = (split: 'train' | 'test', start: number, count: number, stepType: string): TensorDict => {
      const { images, labels } = readMnist(split, start, count);
      return new TensorDict(
        {
          input: tf.tensor4d(images, [count, 28, 28, 1]),
          labels: tf.tensor1d(Int32Array.from(labels), 'int32'),
          step_type: stepType,
        },
        { batchShape: [count] },
      );
    };
    using manager = new ProbeManager(
      () => linearProbe({ classes: 10, epochs: 30, learningRate: 1e-2, batchSize: 32, seed: 0 }),
      metrics,
    );
    const train = digits('train', 0, 300, 'fit');
    const test = digits('test', 0, 200, 'predict');
    {
      using prepared = probing({ select: 'fc1$', probeFactory: manager.probeFactory }).prepare(loaded.model);
      expect(prepared.program.map((spec) => spec.path)).toEqual(['', 'fc1']);
      prepared.run(train).dispose();
      prepared.run(test).dispose();
    }
    const trainAccuracy = scalarOf(manager.results.getTensor(['fit', 'fc1_forward', 'accuracy']));
    const testAccuracy = scalarOf(manager.results.getTensor(['predict', 'fc1_forward', 'accuracy']));
    // Measured: 1.0 and 0.99 on wasm and cpu (the CNN itself: 98.37% on the 10,000 test digits).
    expect(trainAccuracy).toBeGreaterThan(0.95);
    expect(testAccuracy).toBeGreaterThan(0.95);
    train.dispose();
    test.dispose();
    loaded.dispose();
  });

  it("HookedTransformer hook points: a probe on blocks.0.hook_resid_post's first position decodes the first token", () => {
    const model = HookedTransformer.create(
      { nLayers: 2, dModel: 32, nHeads: 4, nCtx: 8, dVocab: 6 },
      { seed: 3 },
    );
    const tokens = (count: number, seed: number, stepType: string): TensorDict => {
      const ids = tf.randomUniformInt([count, 5], 0, 6, seed);
      const first = tf.tidy(() => tf.reshape(tf.slice(ids, [0, 0], [count, 1]), [count]));
      return new TensorDict({ input: ids, labels: first, step_type: stepType }, { batchShape: [count] });
    };
    using manager = new ProbeManager(
      () => linearProbe({ classes: 6, epochs: 100, learningRate: 5e-2, batchSize: 32, seed: 1 }),
      metrics,
      // Position 0 of the residual stream [n, pos, d] (causal attention: it sees the first token only).
      { preprocess: (x) => tf.reshape(tf.slice(x, [0, 0, 0], [-1, 1, -1]), [x.shape[0], -1]) },
    );
    const train = tokens(120, 7, 'fit');
    const test = tokens(60, 8, 'predict');
    {
      using prepared = probing({
        select: /^blocks\.\d+\.hook_resid_post$/,
        probeFactory: manager.probeFactory,
      }).prepare(model);
      expect(prepared.program.map((spec) => spec.path)).toEqual([
        '',
        'blocks.0.hook_resid_post',
        'blocks.1.hook_resid_post',
      ]);
      prepared.run(train).dispose();
      prepared.run(test).dispose();
    }
    for (const layer of [0, 1]) {
      const accuracy = scalarOf(
        manager.results.getTensor(['predict', `blocks.${layer}.hook_resid_post_forward`, 'accuracy']),
      );
      expect(accuracy).toBe(1); // six token embeddings, linearly separable
    }
    train.dispose();
    test.dispose();
    model.dispose();
  });
});
