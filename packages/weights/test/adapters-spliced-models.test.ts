// splicedEvaluation on the models this repo trains: the Moby Dick character transformer's next-token loss
// (@tdhook/nlp-assets, loaded as an @tdhook/adapter-nlp HookedTransformer) and the MNIST CNN's accuracy
// (@tdhook/cv-assets, a TF.js Layers model).
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { resolveModule, TensorDict, type Module } from '@tdhook/core';
import { loadModel } from '@tdhook/adapter-cv';
import type { HookedTransformer } from '@tdhook/adapter-nlp';
import { mnistCnnDir, readMnist } from '@tdhook/cv-assets';
import { loadMobyCharModel, sampleMobyDickWindows } from '@tdhook/nlp-assets';
import type {} from '@tdhook/testing/vitest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { nextTokenLoss, splicedEvaluation, type Adapter, type SplicedMetric } from '../src/index.js';
import { installedHooks } from './adapters-models.js';

const identity: Adapter = (value) => value;

describe('splicedEvaluation with a language-model loss (Moby Dick character model)', () => {
  let model: HookedTransformer;
  let data: TensorDict;
  const windows = 8;
  const width = 33; // 32 predicted characters per window
  beforeAll(async () => {
    ({ model } = await loadMobyCharModel());
    const ids = sampleMobyDickWindows({ seed: 16, count: windows, length: width - 1, split: 'held-out' });
    data = new TensorDict({ input: tf.tensor2d(ids, [windows, width], 'int32') }, { batchShape: [windows] });
  });
  afterAll(() => {
    data.dispose();
    model.dispose();
  });

  it('identity on the residual stream recovers everything; the clean loss is the cross-entropy tf.losses computes, near the held-out 2.6 bits/char', () => {
    const result = splicedEvaluation({
      model,
      adapter: identity,
      from: 'blocks.0.hook_resid_post',
      data,
      loss: nextTokenLoss(),
    });
    // Independently: tf.losses.softmaxCrossEntropy over positions 0…31 against the next characters.
    const expected = tf.tidy(() => {
      const logits = model.call(data.getTensor('input'));
      const vocabulary = logits.shape[2] as number;
      const predicted = tf.reshape(tf.slice(logits, [0, 0, 0], [windows, width - 1, vocabulary]), [
        -1,
        vocabulary,
      ]);
      const next = tf.reshape(tf.slice(data.getTensor('input'), [0, 1], [windows, width - 1]), [-1]);
      const loss = tf.losses.softmaxCrossEntropy(tf.oneHot(tf.cast(next, 'int32'), vocabulary), predicted);
      return loss.dataSync()[0] as number;
    });
    expect(result.clean).toBeCloseTo(expected, 4);
    // 2.6 bits per character held out (training.json), on 128-character windows; ours are 32 long.
    const bitsPerChar = result.clean / Math.log(2);
    expect(bitsPerChar).toBeGreaterThan(2.0);
    expect(bitsPerChar).toBeLessThan(3.4);
    expect(result.spliced).toBe(result.clean);
    expect(result.lossRecovered).toBe(1);
    // Zeroing the residual stream after block 0 destroys the prediction.
    expect(result.zeroAblated).toBeGreaterThan(result.clean + 0.5);
    expect(installedHooks(model)).toBe(0);
  });

  it("a transcoder from ln2 to hook_mlp_out that is block 0's own MLP recovers the loss; zero-ablating the MLP costs loss", () => {
    const mlp = resolveModule(model, 'blocks.0.mlp') as Module;
    const result = splicedEvaluation({
      model,
      adapter: mlp, // a tdhook Module: its call(value) is the prediction
      from: 'blocks.0.ln2',
      to: 'blocks.0.hook_mlp_out',
      data,
      loss: nextTokenLoss(),
    });
    expect(result.spliced).toBeCloseTo(result.clean, 5);
    expect(result.zeroAblated).toBeGreaterThan(result.clean + 0.05);
    expect(result.lossRecovered).toBeCloseTo(1, 3);
    expect(installedHooks(model)).toBe(0);
  });
});

describe('splicedEvaluation with a classifier accuracy (MNIST CNN)', () => {
  let model: tfl.LayersModel;
  let data: TensorDict;
  const count = 200;
  beforeAll(async () => {
    const loaded = await loadModel(mnistCnnDir);
    if (loaded.kind !== 'layers') throw new Error('the MNIST CNN is a Layers model');
    model = loaded.model;
    const { images, labels } = readMnist('test', 0, count);
    data = new TensorDict(
      {
        input: tf.tensor4d(images, [count, 28, 28, 1]),
        label: tf.tensor1d(Int32Array.from(labels), 'int32'),
      },
      { batchShape: [count] },
    );
  });
  afterAll(() => {
    data.dispose();
    model.dispose();
  });

  const accuracy: SplicedMetric = (result) =>
    tf.mean(
      tf.cast(tf.equal(tf.argMax(result.getTensor('output'), -1), result.getTensor('label')), 'float32'),
    );

  it('identity on fc1 keeps the accuracy; keeping 4 of the fc1 units gives what the layers compute by hand; zeroing fc1 leaves one class', () => {
    const kept = splicedEvaluation({ model, adapter: identity, from: 'fc1', data, loss: accuracy });
    expect(kept.clean).toBeGreaterThan(0.95);
    expect(kept.spliced).toBe(kept.clean);
    expect(kept.lossRecovered).toBe(1);
    // Zeroed fc1: the logits are the last layer's bias, one class for every image.
    const bias = model.getLayer('logits').getWeights()[1] as tf.Tensor;
    const biasClass = tf.tidy(() => tf.argMax(bias).dataSync()[0] as number);
    const labels = data.getTensor('label').dataSync();
    expect(kept.zeroAblated).toBeCloseTo(labels.filter((label) => label === biasClass).length / count, 6);

    // Only fc1's first 4 units kept: a real loss of accuracy, checked against the layers applied by hand.
    const firstUnits = (units: number): tf.Tensor =>
      tf.tensor1d(Float32Array.from({ length: units }, (_, unit) => (unit < 4 ? 1 : 0)));
    const narrowing: Adapter = (value) => tf.mul(value, firstUnits(value.shape[1] as number));
    const narrowed = splicedEvaluation({ model, adapter: narrowing, from: 'fc1', data, loss: accuracy });
    const byHand = tf.tidy(() => {
      const head = layerOutput(model, data.getTensor('input'), 'fc1');
      const logits = model
        .getLayer('logits')
        .apply(tf.mul(head, firstUnits(head.shape[1] as number))) as tf.Tensor;
      return tf
        .mean(tf.cast(tf.equal(tf.argMax(logits, -1), data.getTensor('label')), 'float32'))
        .dataSync()[0] as number;
    });
    expect(narrowed.spliced).toBeCloseTo(byHand, 6);
    expect(narrowed.spliced).toBeLessThan(kept.clean - 0.1);
    expect(narrowed.lossRecovered).toBeCloseTo(
      (kept.zeroAblated - byHand) / (kept.zeroAblated - kept.clean),
      6,
    );
    expect(installedHooks(model)).toBe(0);
  });
});

/** The output of the layer `name` of a Sequential Layers model, by applying its layers one after another. */
function layerOutput(model: tfl.LayersModel, input: tf.Tensor, name: string): tf.Tensor {
  let value = input;
  for (const layer of model.layers) {
    value = layer.apply(value) as tf.Tensor;
    if (layer.name === name) return value;
  }
  throw new Error(`no layer ${name}`);
}
