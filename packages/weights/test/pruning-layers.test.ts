// pruning on a TF.js Layers model, the MNIST CNN this repository trains (conv1 [3,3,1,8], conv2 [3,3,8,16],
// fc1 [400,32], logits [32,10]; 14,410 parameters): global magnitude pruning, conv channels and dense units by
// Ln norm, per-layer sparsity, first-order Taylor importance checked against its closed form.
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { loadModel } from '@tdhook/adapter-cv';
import { mnistCnnDir, readMnist } from '@tdhook/cv-assets';
import { restorePatches } from '@tdhook/backend';
import { defaultPatches, installPatches } from '@tdhook/backend/patches';
import { registerHook } from '@tdhook/core';
import type {} from '@tdhook/testing/vitest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { gradientImportance, measureSparsity, pruning } from '../src/index.js';
import { snapshot } from './parameter-snapshot.js';

let model: tfl.LayersModel;
let dispose: () => void;
let images: tf.Tensor4D;
let labels: Uint8Array;
const rows = 200;

beforeAll(async () => {
  // @tdhook/backend's patches: wasm gets the kernels and gradients it lacks (Conv2DBackpropFilter).
  await installPatches(tf.getBackend() as 'wasm' | 'cpu', defaultPatches);
  const loaded = await loadModel(mnistCnnDir);
  model = loaded.model as tfl.LayersModel;
  dispose = loaded.dispose;
  const slice = readMnist('test', 0, rows);
  images = tf.tensor4d(slice.images, [rows, 28, 28, 1]);
  labels = slice.labels;
});

afterAll(() => {
  images.dispose();
  dispose();
  restorePatches();
});

function predictions(): number[] {
  return tf.tidy(() => Array.from(tf.argMax(model.predict(images) as tf.Tensor, 1).dataSync()));
}

function accuracy(predicted: readonly number[]): number {
  return predicted.filter((digit, index) => digit === labels[index]).length / rows;
}

/** Per-channel L1 norms of a kernel's last axis. */
function lastAxisNorms(values: readonly number[], units: number): number[] {
  const norms = Array<number>(units).fill(0);
  values.forEach((value, index) => {
    norms[index % units] = (norms[index % units] ?? 0) + Math.abs(value);
  });
  return norms;
}

function smallest(norms: readonly number[], count: number): number[] {
  return [...norms.keys()]
    .sort((a, b) => (norms[a] ?? 0) - (norms[b] ?? 0))
    .slice(0, count)
    .sort((a, b) => a - b);
}

describe('pruning a Layers model (the MNIST CNN)', () => {
  it('global magnitude pruning at 0.5 zeroes exactly 7,205 of 14,410 entries, the smallest |θ| over all layers; sparsity per layer; restored bit for bit', () => {
    const before = snapshot(model);
    const clean = predictions();
    expect(accuracy(clean)).toBeGreaterThanOrEqual(0.95);
    {
      using _prepared = pruning({ amount: 0.5 }).prepare(model);
      const report = measureSparsity(model);
      expect(report.parameters.map((row) => [row.key, row.size])).toEqual([
        ['conv1.kernel', 72],
        ['conv1.bias', 8],
        ['conv2.kernel', 1152],
        ['conv2.bias', 16],
        ['fc1.kernel', 12800],
        ['fc1.bias', 32],
        ['logits.kernel', 320],
        ['logits.bias', 10],
      ]);
      expect(report.size).toBe(14410);
      expect(report.zeros).toBe(7205);
      const original = Object.values(before).flat();
      const now = Object.values(snapshot(model)).flat();
      const zeroed = original.filter((_, index) => now[index] === 0).map(Math.abs);
      const kept = original.filter((_, index) => now[index] !== 0).map(Math.abs);
      expect(Math.max(...zeroed)).toBeLessThanOrEqual(Math.min(...kept));
      // The big fc1 kernel holds most of the small weights; every layer reports its own share.
      for (const row of report.parameters) expect(row.fraction).toBe(row.zeros / row.size);
      expect(predictions()).not.toEqual(clean);
    }
    expect(snapshot(model)).toEqual(before);
    expect(predictions()).toEqual(clean);
  });

  it('structured: conv2 axis 3 prunes whole output channels with their bias (their activations are exactly 0); fc1 axis 1 whole units', () => {
    const before = snapshot(model);
    const channels = smallest(lastAxisNorms(before['conv2.kernel'] ?? [], 16), 4);
    const units = smallest(lastAxisNorms(before['fc1.kernel'] ?? [], 32), 16);
    {
      using _prepared = pruning({
        modules: { conv2: { axis: 3, amount: 0.25 }, fc1: { axis: -1, amount: 0.5 } },
      }).prepare(model);
      const now = snapshot(model);
      const zeroChannels = (values: readonly number[], count: number): number[] =>
        [...Array(count).keys()].filter((unit) =>
          values.every((value, index) => index % count !== unit || value === 0),
        );
      expect(zeroChannels(now['conv2.kernel'] ?? [], 16)).toEqual(channels);
      expect(zeroChannels(now['conv2.bias'] ?? [], 16)).toEqual(channels);
      expect(zeroChannels(now['fc1.kernel'] ?? [], 32)).toEqual(units);
      expect(zeroChannels(now['fc1.bias'] ?? [], 32)).toEqual(units);
      const report = measureSparsity(model, { paths: ['conv2', 'fc1'] });
      expect(report.parameters.map((row) => [row.key, row.zeros])).toEqual([
        ['conv2.kernel', 4 * 72],
        ['conv2.bias', 4],
        ['fc1.kernel', 16 * 400],
        ['fc1.bias', 16],
      ]);
      expect(now['conv1.kernel']).toEqual(before['conv1.kernel']);
      // A pruned channel computes relu(0 · x + 0) = 0 everywhere.
      let conv2: number[] = [];
      const handle = registerHook(model, 'conv2', 'forward', (output) => {
        conv2 = Array.from((output as tf.Tensor).dataSync());
      });
      try {
        tf.tidy(() => {
          model.predict(tf.slice(images, 0, 2));
        });
      } finally {
        handle.remove();
      }
      expect(zeroChannels(conv2, 16)).toEqual(expect.arrayContaining(channels));
    }
    expect(snapshot(model)).toEqual(before);
  });

  it('gradientImportance is |θ ⊙ ∂loss/∂θ|: for the logits bias of a mean cross-entropy, |b ⊙ mean(softmax − onehot)|; pruning with it keeps the model accurate', () => {
    const before = snapshot(model);
    const batch = tf.slice(images, 0, 64);
    const onehot = tf.tidy(() => tf.oneHot(tf.tensor1d(Array.from(labels.subarray(0, 64)), 'int32'), 10));
    const loss = (): tf.Scalar =>
      tf.tidy(() => tf.losses.softmaxCrossEntropy(onehot, model.apply(batch) as tf.Tensor));
    using taylor = gradientImportance({ model, loss });
    expect([...taylor.scores.keys()]).toEqual(Object.keys(before));
    const expected = tf.tidy(() => {
      const logits = model.predict(batch) as tf.Tensor;
      const dBias = tf.mean(tf.sub(tf.softmax(logits), onehot), 0);
      return tf.abs(tf.mul(tf.tensor1d(before['logits.bias'] ?? []), dBias));
    });
    expect(taylor.scores.get('logits.bias')).toBeCloseToTensor(expected, { rtol: 1e-4, atol: 1e-7 });
    expected.dispose();
    {
      using _prepared = pruning({ amount: 0.5, importance: taylor.importance }).prepare(model);
      expect(measureSparsity(model).zeros).toBe(7205);
      expect(accuracy(predictions())).toBeGreaterThanOrEqual(0.8);
    }
    expect(snapshot(model)).toEqual(before);
    tf.dispose([batch, onehot]);
  });
});
