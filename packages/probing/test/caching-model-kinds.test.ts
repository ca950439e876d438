// activationCaching and cacheDataset on every kind of model tdhook hooks: a tfjs-layers sequential model, the
// MNIST CNN (a Layers model from @tdhook/cv-assets), a Graph model (@tdhook/adapter-cv's GraphModule), core
// Modules (the other caching tests) and the NLP transformer's hook points (@tdhook/adapter-nlp).
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { HookSession, TensorDict } from '@tdhook/core';
import { restorePatches } from '@tdhook/backend';
import { defaultPatches, installPatches } from '@tdhook/backend/patches';
import { loadModel, type GraphModule } from '@tdhook/adapter-cv';
import { loadGpt2Checkpoint } from '@tdhook/adapter-nlp';
import { emotionModelDir, mnistCnnDir, readMnist } from '@tdhook/cv-assets';
import { modelDirs } from '@tdhook/nlp-assets';
import { seededTensor } from '@tdhook/testing';
import type {} from '@tdhook/testing/vitest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { activationCaching, cacheDataset } from '../src/index.js';

const close = { rtol: 1e-5, atol: 1e-5 };

// Conv and pooling gradients on wasm need @tdhook/backend's patches, as in every package's tests.
beforeAll(async () => {
  await installPatches(tf.getBackend() as 'wasm' | 'cpu', defaultPatches);
});
afterAll(() => {
  restorePatches();
});

describe('activation caching on every kind of model', () => {
  it('a tfjs-layers sequential model: layer names are paths; forward and backward-pre values match', () => {
    const model = tfl.sequential({
      layers: [
        tfl.layers.dense({ inputShape: [6], units: 8, activation: 'relu', name: 'hidden' }),
        tfl.layers.dense({ units: 3, name: 'logits' }),
      ],
    });
    const x = seededTensor([4, 6], 21, 2);
    {
      using data = new TensorDict({ input: x.clone() }, { batchShape: [4] });
      using prepared = activationCaching({
        select: /hidden|logits/,
        directions: ['forward', 'backward-pre'],
      }).prepare(model);
      using result = prepared.run(data);
      const hidden = tf.tidy(() => model.getLayer('hidden').apply(x) as tf.Tensor);
      expect(result.getTensor(['cache', 'forward', 'hidden'])).toBeCloseToTensor(hidden, close);
      expect(result.getTensor(['cache', 'forward', 'logits'])).toBeCloseToTensor(
        result.getTensor('output'),
        close,
      );
      // d(Σ logits)/d(hidden), through the logits layer alone.
      const logits = model.getLayer('logits');
      const expected = tf.tidy(() => tf.grad((h: tf.Tensor) => tf.sum(logits.apply(h) as tf.Tensor))(hidden));
      expect(result.getTensor(['cache', 'backward-pre', 'hidden'])).toBeCloseToTensor(expected, close);
      tf.dispose([hidden, expected]);
    }
    x.dispose();
    model.dispose();
  });

  it('the MNIST CNN (@tdhook/cv-assets): every layer over 64 test images, in batches, equals the sub-models’ outputs', async () => {
    const { model } = await loadModel(mnistCnnDir);
    const cnn = model as tfl.LayersModel;
    const { images } = readMnist('test', 0, 64);
    const all = tf.tensor4d(images, [64, 28, 28, 1]);
    function* batches(): Generator<TensorDict> {
      for (let start = 0; start < 64; start += 16) {
        yield new TensorDict(
          { input: tf.slice(all, [start, 0, 0, 0], [16, -1, -1, -1]) },
          { batchShape: [16] },
        );
      }
    }
    const names = cnn.layers.map((layer) => layer.name);
    const cached = await cacheDataset(cnn, batches(), { select: /./ });
    expect(cached.keys().map(([name]) => name)).toEqual(names);
    for (const name of names) {
      const sub = tfl.model({ inputs: cnn.inputs, outputs: cnn.getLayer(name).output });
      const expected = sub.predict(all) as tf.Tensor;
      expect(cached.getTensor(name), name).toBeCloseToTensor(expected, close);
      expected.dispose();
    }
    cached.dispose();
    all.dispose();
    cnn.dispose();
  });

  it('a Graph model (@tdhook/adapter-cv GraphModule): op nodes are paths; a node equals the graph executed to it', async () => {
    const loaded = await loadModel(emotionModelDir());
    const graph = loaded.model as GraphModule;
    const node = 'StatefulPartitionedCall/model_1/conv2d_5/BiasAdd';
    const faces = tf.tidy(() => tf.sigmoid(seededTensor([2, 64, 64, 1], 5, 4)));
    {
      using data = new TensorDict({ input: faces.clone() }, { batchShape: [2] });
      using prepared = activationCaching({ select: [`<${node}>`] }).prepare(graph);
      using result = prepared.run(data);
      const expected = graph.graphModel.execute(
        { [graph.inputNames[0] as string]: faces },
        node,
      ) as tf.Tensor;
      expect(result.getTensor(['cache', `<${node}>`])).toBeCloseToTensor(expected, close);
      expected.dispose();
      // A RegExp over the graph's node paths (escaped as <…>, matched at the start).
      const matching = activationCaching({
        select: /<StatefulPartitionedCall\/model_1\/block\d_/,
      });
      expect(matching.plan({}, graph).hooks.length).toBeGreaterThan(1);
    }
    faces.dispose();
    graph.dispose();
  });

  it('the NLP transformer (@tdhook/adapter-nlp HookedTransformer, moby-char): hook points by RegExp, forward and gradients, equal HookSession captures', async () => {
    const { model } = await loadGpt2Checkpoint(modelDirs['moby-char']);
    const tokens = tf.tensor2d(
      [
        [5, 9, 12, 3, 7, 1],
        [2, 2, 8, 14, 6, 10],
      ],
      [2, 6],
      'int32',
    );
    const points = ['blocks.0.hook_resid_post', 'blocks.1.hook_resid_post'];
    const session = new HookSession(model);
    const forward = points.map((point) => session.capture(point));
    const gradient = session.capture({ path: 'blocks.1.hook_resid_post', kind: 'gradient' });
    const ran = session.run(() => tf.variableGrads(() => tf.sum(model.call(tokens))));
    session.close();
    if (!ran.stopped) tf.dispose([ran.value.value, ...Object.values(ran.value.grads)]);
    {
      using data = new TensorDict({ input: tokens.clone() }, { batchShape: [2] });
      using prepared = activationCaching({
        select: /blocks\.\d+\.hook_resid_post$/,
        directions: ['forward', 'backward-pre'],
      }).prepare(model);
      using result = prepared.run(data);
      points.forEach((point, index) => {
        expect(result.getTensor(['cache', 'forward', point])).toBeCloseToTensor(
          forward[index]?.value as tf.Tensor,
          close,
        );
      });
      expect(result.getTensor(['cache', 'backward-pre', 'blocks.1.hook_resid_post'])).toBeCloseToTensor(
        gradient.value as tf.Tensor,
        close,
      );
    }
    tf.dispose([...forward.map((unit) => unit.value as tf.Tensor), gradient.value, tokens]);
    model.dispose();
  });
});
