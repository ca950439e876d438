// The three methods on the other kinds of model tdhook hooks: a tfjs-layers model (layer names are paths) and a
// Graph model (@tdhook/adapter-cv's GraphModule, op nodes are paths). Expected values come from the models'
// own APIs: the layers applied one by one, the graph executed with the node's value fed in.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { TensorDict } from '@tdhook/core';
import { restorePatches } from '@tdhook/backend';
import { defaultPatches, installPatches } from '@tdhook/backend/patches';
import { loadModel, type GraphModule } from '@tdhook/adapter-cv';
import { emotionModelDir } from '@tdhook/cv-assets';
import { seededTensor } from '@tdhook/testing';
import type {} from '@tdhook/testing/vitest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { activationAddition, activationPatching, addVector, steeringVectors } from '../src/index.js';
import { installedHooks } from './method-models.js';

const close = { rtol: 1e-5, atol: 1e-5 };

beforeAll(async () => {
  await installPatches(tf.getBackend() as 'wasm' | 'cpu', defaultPatches);
});
afterAll(() => {
  restorePatches();
});

/** hidden(6→8, relu) → logits(8→3). */
function layersModel(): tfl.Sequential {
  return tfl.sequential({
    layers: [
      tfl.layers.dense({ inputShape: [6], units: 8, activation: 'relu', name: 'hidden' }),
      tfl.layers.dense({ units: 3, name: 'logits' }),
    ],
  });
}

/** `value` with column `unit` taken from `source`. */
function withUnit(value: tf.Tensor, source: tf.Tensor, unit: number): tf.Tensor {
  return tf.tidy(() => {
    const size = value.shape.at(-1) ?? 0;
    const mask = tf.reshape(tf.oneHot(tf.tensor1d([unit], 'int32'), size), [size]);
    return tf.add(tf.mul(value, tf.sub(1, mask)), tf.mul(source, mask));
  });
}

describe('the methods on a tfjs-layers model', () => {
  it('activationPatching (Target unit 5 of hidden), steeringVectors (addVector) and activationAddition equal the layers applied by hand', () => {
    const model = layersModel();
    const clean = seededTensor([4, 6], 21, 2);
    const corrupted = seededTensor([4, 6], 22, 2);
    const hidden = model.getLayer('hidden');
    const logits = model.getLayer('logits');
    const vector = seededTensor([8], 23, 1);
    using data = new TensorDict(
      {
        input: clean.clone(),
        patched: { input: corrupted.clone() },
        positive: { input: clean.clone() },
        negative: { input: corrupted.clone() },
      },
      { batchShape: [4] },
    );
    {
      using prepared = activationPatching({ modules: [{ path: 'hidden', indices: [5] }] }).prepare(model);
      using result = prepared.run(data);
      const expected = tf.tidy(() => {
        const h = withUnit(hidden.apply(corrupted) as tf.Tensor, hidden.apply(clean) as tf.Tensor, 5);
        return logits.apply(h) as tf.Tensor;
      });
      const plain = tf.tidy(() => model.predict(clean) as tf.Tensor);
      expect(result.getTensor(['patched', 'output'])).toBeCloseToTensor(expected, close);
      expect(result.getTensor('output')).toBeCloseToTensor(plain, close);
      tf.dispose([expected, plain]);
    }
    {
      // Computed before preparing: while steered, every call of the layer is steered.
      const expected = tf.tidy(
        () => logits.apply(tf.add(hidden.apply(clean) as tf.Tensor, tf.mul(vector, 2))) as tf.Tensor,
      );
      {
        using prepared = steeringVectors({
          modules: ['hidden'],
          steer: addVector(vector, { coefficient: 2 }),
        }).prepare(model);
        using result = prepared.run(data);
        expect(result.getTensor('output')).toBeCloseToTensor(expected, close);
      }
      expected.dispose();
    }
    {
      using prepared = activationAddition({
        modules: ['hidden', { path: 'logits', indices: [0, 2] }],
      }).prepare(model);
      using result = prepared.run(data);
      const [steerHidden, steerLogits] = tf.tidy((): tf.Tensor[] => {
        const diff = tf.sub(hidden.apply(clean) as tf.Tensor, hidden.apply(corrupted) as tf.Tensor);
        const out = tf.sub(model.predict(clean) as tf.Tensor, model.predict(corrupted) as tf.Tensor);
        return [tf.mean(diff, 0), tf.gather(tf.mean(out, 0), [0, 2])];
      });
      expect(result.getTensor(['steer', 'hidden'])).toBeCloseToTensor(steerHidden as tf.Tensor, close);
      expect(result.getTensor(['steer', 'logits'])).toBeCloseToTensor(steerLogits as tf.Tensor, close);
      tf.dispose([steerHidden, steerLogits]);
    }
    expect(installedHooks(model)).toBe(0);
    tf.dispose([clean, corrupted, vector]);
    model.dispose();
  });
});

describe('the methods on a Graph model (@tdhook/adapter-cv GraphModule)', () => {
  const node = 'StatefulPartitionedCall/model_1/conv2d_5/BiasAdd';
  const path = `<${node}>`;

  it('patching channel 3 of a conv node, steering it, and the activation difference equal the graph executed with the node fed in', async () => {
    const graph = (await loadModel(emotionModelDir())).model as GraphModule;
    const input = graph.inputNames[0] as string;
    const outputs = [...graph.outputNames];
    const clean = tf.tidy(() => tf.sigmoid(seededTensor([2, 64, 64, 1], 5, 4)));
    const corrupted = tf.tidy(() => tf.sigmoid(seededTensor([2, 64, 64, 1], 6, 4)));
    const at = (x: tf.Tensor): tf.Tensor => graph.graphModel.execute({ [input]: x }, node) as tf.Tensor;
    const fed = (x: tf.Tensor, value: tf.Tensor): tf.Tensor =>
      graph.graphModel.execute({ [input]: x, [node]: value }, outputs) as tf.Tensor;
    using data = new TensorDict(
      {
        input: clean.clone(),
        patched: { input: corrupted.clone() },
        positive: { input: clean.clone() },
        negative: { input: corrupted.clone() },
      },
      { batchShape: [2] },
    );
    {
      using prepared = activationPatching({ modules: [{ path, indices: [3] }] }).prepare(graph);
      using result = prepared.run(data);
      const expected = tf.tidy(() => fed(corrupted, withUnit(at(corrupted), at(clean), 3)));
      const unpatched = tf.tidy(() => fed(corrupted, at(corrupted)));
      expect(result.getTensor(['patched', 'output'])).toBeCloseToTensor(expected, close);
      expect(result.getTensor(['patched', 'output'])).not.toBeCloseToTensor(unpatched, close);
      tf.dispose([expected, unpatched]);
    }
    {
      const channels = at(clean);
      const vector = tf.tidy(() =>
        tf.reshape(tf.mul(tf.oneHot(tf.tensor1d([3], 'int32'), channels.shape.at(-1) ?? 0), 5), [-1]),
      );
      const expected = tf.tidy(() => fed(clean, tf.add(at(clean), vector)));
      {
        using prepared = steeringVectors({ modules: [path], steer: addVector(vector) }).prepare(graph);
        using result = prepared.run(data);
        expect(result.getTensor('output')).toBeCloseToTensor(expected, close);
      }
      tf.dispose([expected, vector, channels]);
    }
    {
      using prepared = activationAddition({ modules: [path] }).prepare(graph);
      using result = prepared.run(data);
      const expected = tf.tidy(() => tf.mean(tf.sub(at(clean), at(corrupted)), 0));
      expect(result.getTensor(['steer', path])).toBeCloseToTensor(expected, close);
      expected.dispose();
    }
    expect(installedHooks(graph)).toBe(0);
    tf.dispose([clean, corrupted]);
    graph.dispose();
  });
});
