// activationPatchingGrid on every kind of model tdhook hooks, each batched grid equal to one run per cell:
// a tdhook Module with two inputs, a TF.js Layers model (the MNIST CNN of @tdhook/cv-assets: conv2's
// channels between two digits) and a Graph model (@tdhook/adapter-cv's GraphModule).
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import type {} from '@tdhook/testing/vitest';
import { Module, TensorDict } from '@tdhook/core';
import { loadModel, type GraphModule } from '@tdhook/adapter-cv';
import { emotionModelDir, mnistCnnDir, readMnist } from '@tdhook/cv-assets';
import { seededTensor } from '@tdhook/testing';

import {
  activationPatchingGrid,
  logitDifference,
  siteGrid,
  unitSites,
  type PatchingMetric,
  type SiteGrid,
} from '../src/index.js';
import { maxAbsError, useBackendPatches } from './gpt2-tiny-fixture.js';
import { patchEveryCell } from './grid-fixture.js';

useBackendPatches();

class Affine extends Module {
  readonly kernel: tf.Variable;
  readonly bias: tf.Variable;
  constructor(inputs: number, outputs: number, seed: number) {
    super();
    this.kernel = this.registerParameter('kernel', seededTensor([inputs, outputs], seed, 1));
    this.bias = this.registerParameter('bias', seededTensor([outputs], seed + 1, 0.2));
  }
  forward(x: tf.Tensor): tf.Tensor {
    return tf.add(tf.matMul(x, this.kernel), this.bias);
  }
}

/** y = fc2(relu(fc1(x) + shift)): two inputs, keyed as ['x', 'shift']. */
class ShiftedMlp extends Module<[tf.Tensor, tf.Tensor]> {
  readonly fc1 = this.registerModule('fc1', new Affine(6, 8, 3));
  readonly fc2 = this.registerModule('fc2', new Affine(8, 3, 5));
  forward(x: tf.Tensor, shift: tf.Tensor): tf.Tensor {
    return this.fc2.call(tf.relu(tf.add(this.fc1.call(x), shift)));
  }
}

/** Runs the grid on `data` and returns patched_metric as [samples][cells]. */
function batched(
  model: Parameters<ReturnType<typeof activationPatchingGrid>['prepare']>[0],
  keys: Parameters<ReturnType<typeof activationPatchingGrid>['prepare']>[1],
  sites: SiteGrid,
  metric: PatchingMetric,
  data: TensorDict,
  maxRowsPerPass?: number,
): number[] {
  using prepared = activationPatchingGrid({
    sites,
    metric,
    ...(maxRowsPerPass === undefined ? {} : { maxRowsPerPass }),
  }).prepare(model, keys);
  using result = prepared.run(data);
  const patched = result.getTensor(['patching', 'patched_metric']);
  expect(patched.shape).toEqual([...data.batchShape, ...sites.shape]);
  return Array.from(patched.dataSync());
}

describe('activationPatchingGrid on every kind of model', () => {
  it('a tdhook Module with two inputs: hidden units and a user-defined grid, batched = per cell', () => {
    const model = new ShiftedMlp();
    const x = [seededTensor([3, 6], 11, 2), seededTensor([3, 6], 12, 2)];
    const shift = [seededTensor([3, 8], 13, 1), seededTensor([3, 8], 14, 1)];
    const metric: PatchingMetric = (y) =>
      tf.tidy(() => tf.reshape(tf.sub(tf.slice(y, [0, 0], [-1, 1]), tf.slice(y, [0, 1], [-1, 1])), [-1]));
    const units = unitSites({ path: 'fc1', indices: [0, 1, 2, 3, 4, 5, 6, 7], name: 'hidden' });
    const mixed = siteGrid({
      axes: [{ name: 'site', labels: ['fc1 all', 'fc2 #2', 'fc1 #7'] }],
      sites: [
        { path: 'fc1', units: [], label: 'fc1 all' },
        { path: 'fc2', units: [{ axis: 1, index: 2 }], label: 'fc2 #2' },
        { path: 'fc1', units: [{ axis: -1, index: 7 }], label: 'fc1 #7' },
      ],
    });
    using data = new TensorDict(
      {
        x: x[0]?.clone(),
        shift: shift[0]?.clone(),
        patched: { x: x[1]?.clone(), shift: shift[1]?.clone() },
      },
      { batchShape: [3] },
    );
    const call = ([input, offset]: readonly tf.Tensor[]): tf.Tensor =>
      model.call(input as tf.Tensor, offset as tf.Tensor);
    const source = [x[0], shift[0]] as tf.Tensor[];
    const receiving = [x[1], shift[1]] as tf.Tensor[];
    for (const sites of [units, mixed]) {
      const expected = tf
        .tidy(() => patchEveryCell(model, call, sites.sites, source, receiving, metric))
        .flat();
      const keys = { inKeys: ['x', 'shift'], outKeys: ['y'] };
      expect(maxAbsError(batched(model, keys, sites, metric, data), expected)).toBe(0);
      expect(maxAbsError(batched(model, keys, sites, metric, data, 4), expected)).toBe(0);
    }
    tf.dispose([...x, ...shift]);
    model.dispose();
  });

  it('the MNIST CNN (a Layers model): conv2 channels from a 7 into a 1, batched = per cell', async () => {
    const { model } = await loadModel(mnistCnnDir);
    const cnn = model as tfl.LayersModel;
    // Test images 0 (a 7) and 2 (a 1), 4 (a 4) and 1 (a 2): source → receiving, per sample.
    const { images, labels } = readMnist('test', 0, 5);
    const all = tf.tensor4d(images, [5, 28, 28, 1]);
    const source = tf.gather(all, [0, 4]);
    const receiving = tf.gather(all, [2, 1]);
    const [a, b, c, d] = [labels[0], labels[2], labels[4], labels[1]] as number[];
    expect([a, b, c, d]).toEqual([7, 1, 4, 2]);
    const metric = logitDifference({ answer: [a, c], versus: [b, d] } as {
      answer: number[];
      versus: number[];
    });
    const sites = unitSites({
      path: 'conv2',
      axis: -1,
      indices: Array.from({ length: 16 }, (_, i) => i),
      name: 'channel',
    });
    const expected = tf
      .tidy(() =>
        patchEveryCell(
          cnn,
          ([x]) => cnn.apply(x as tf.Tensor) as tf.Tensor,
          sites.sites,
          [source],
          [receiving],
          metric,
        ),
      )
      .flat();
    {
      using data = new TensorDict(
        { input: source.clone(), patched: { input: receiving.clone() } },
        { batchShape: [2] },
      );
      const grid = batched(cnn, {}, sites, metric, data);
      const error = maxAbsError(grid, expected);
      console.info(`MNIST CNN conv2 channels, batched vs per cell: ${error}`);
      expect(error).toBeLessThan(1e-5);
      expect(maxAbsError(batched(cnn, {}, sites, metric, data, 5), grid)).toBe(0);
      // Some channel moves the metric: the grid measures something.
      const spread = Math.max(...grid) - Math.min(...grid);
      expect(spread).toBeGreaterThan(0.1);
    }
    tf.dispose([all, source, receiving]);
    cnn.dispose();
  });

  it('a Graph model (GraphModule): channels of a conv node, batched = per cell', async () => {
    const loaded = await loadModel(emotionModelDir());
    const graph = loaded.model as GraphModule;
    const node = '<StatefulPartitionedCall/model_1/conv2d_5/BiasAdd>';
    const faces = tf.tidy(() => tf.sigmoid(seededTensor([2, 64, 64, 1], 5, 4)));
    const source = tf.slice(faces, [0, 0, 0, 0], [1, -1, -1, -1]);
    const receiving = tf.slice(faces, [1, 0, 0, 0], [1, -1, -1, -1]);
    const metric = logitDifference({ answer: 3, versus: 4 });
    const sites = unitSites({ path: node, axis: -1, indices: [0, 1, 2, 3], name: 'channel' });
    const call = ([x]: readonly tf.Tensor[]): tf.Tensor => graph.call(x as tf.Tensor) as tf.Tensor;
    const expected = tf
      .tidy(() => patchEveryCell(graph, call, sites.sites, [source], [receiving], metric))
      .flat();
    {
      using data = new TensorDict(
        { input: source.clone(), patched: { input: receiving.clone() } },
        { batchShape: [1] },
      );
      const grid = batched(graph, {}, sites, metric, data, 2);
      const error = maxAbsError(grid, expected);
      console.info(`GraphModule conv channels, batched vs per cell: ${error}`);
      expect(error).toBeLessThan(1e-5);
    }
    tf.dispose([faces, source, receiving]);
    graph.dispose();
  });
});
