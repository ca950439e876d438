import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {} from '@tdhook/testing/vitest';
import { emotionModelDir, mnistCnnDir, mobileNetV2Dir, photoPaths } from '@tdhook/cv-assets';

import {
  describeModel,
  formatModelInfo,
  lastFeatureMap,
  loadModel,
  readImageBatch,
  type GraphModule,
  type LoadedModel,
} from '../src/index.js';

let mnist: LoadedModel;
let emotion: LoadedModel;

beforeAll(async () => {
  mnist = await loadModel(mnistCnnDir);
  emotion = await loadModel(emotionModelDir());
});

afterAll(() => {
  mnist.dispose();
  emotion.dispose();
});

describe('describeModel on the MNIST CNN (Layers)', () => {
  it('lists its 7 layers with output shapes and parameters (14,410 in all)', () => {
    const info = describeModel(mnist.model);
    expect(info.kind).toBe('layers');
    expect(info.name).toBe('mnist_cnn');
    expect(info.parameters).toBe(14_410);
    expect(info.inputs).toEqual([{ name: 'conv1_input', shape: [null, 28, 28, 1], dtype: 'float32' }]);
    expect(info.outputs).toEqual([{ name: 'logits/logits', shape: [null, 10], dtype: 'float32' }]);
    expect(info.modules).toEqual([
      { path: 'conv1', type: 'Conv2D', outputShape: [null, 26, 26, 8], parameters: 80 },
      { path: 'pool1', type: 'MaxPooling2D', outputShape: [null, 13, 13, 8], parameters: 0 },
      { path: 'conv2', type: 'Conv2D', outputShape: [null, 11, 11, 16], parameters: 1168 },
      { path: 'pool2', type: 'MaxPooling2D', outputShape: [null, 5, 5, 16], parameters: 0 },
      { path: 'flatten', type: 'Flatten', outputShape: [null, 400], parameters: 0 },
      { path: 'fc1', type: 'Dense', outputShape: [null, 32], parameters: 12_832 },
      { path: 'logits', type: 'Dense', outputShape: [null, 10], parameters: 330 },
    ]);
    // The per-layer counts add up to the model's.
    expect(info.modules.reduce((sum, module) => sum + (module.parameters ?? 0), 0)).toBe(info.parameters);
  });

  it('formats as tdhook info prints it: header, then one aligned row per path', () => {
    const text = formatModelInfo(describeModel(mnist.model));
    const lines = text.split('\n');
    expect(lines[0]).toBe("Layers model 'mnist_cnn': 14,410 parameters");
    expect(lines[1]).toBe('  input  conv1_input [N, 28, 28, 1] float32');
    expect(lines[2]).toBe('  output logits/logits [N, 10]');
    expect(text).toContain('Hookable module paths (7):');
    expect(lines).toContain('  conv2    Conv2D        [N, 11, 11, 16]         1,168');
    expect(lines).toContain('  fc1      Dense         [N, 32]                 12,832');
    // Every row's type column starts at the same place.
    const rows = lines.slice(-7);
    expect(new Set(rows.map((row) => row.search(/(Conv2D|MaxPooling2D|Flatten|Dense)/))).size).toBe(1);
  });

  it('finds pool2 as the last feature map (rank 4, spatial size > 1)', () => {
    expect(lastFeatureMap(describeModel(mnist.model))).toEqual({
      path: 'pool2',
      type: 'MaxPooling2D',
      outputShape: [null, 5, 5, 16],
      parameters: 0,
    });
  });
});

describe('describeModel on the emotion model (Graph)', () => {
  it('lists 21 hookable node paths, with shapes that match what the graph computes', async () => {
    const graph = emotion.model as GraphModule;
    const info = describeModel(graph);
    expect(info.kind).toBe('graph');
    expect(info.inputs).toEqual([{ name: 'input_1', shape: [null, 64, 64, 1], dtype: 'float32' }]);
    expect(info.outputs).toEqual([{ name: 'Identity:0', shape: [null, 7], dtype: 'float32' }]);
    expect(info.modules).toHaveLength(21);
    expect(info.modules.map((module) => module.path)).toEqual(
      graph.nodes().map((node) => (node.nodeName === 'Identity' ? 'Identity' : `<${node.nodeName}>`)),
    );
    const byPath = new Map(info.modules.map((module) => [module.path, module]));
    expect(byPath.get('<StatefulPartitionedCall/model_1/block1_conv1_act/Relu>')).toEqual({
      path: '<StatefulPartitionedCall/model_1/block1_conv1_act/Relu>',
      type: '_FusedConv2D',
      outputShape: [null, 31, 31, 32],
    });
    expect(byPath.get('<StatefulPartitionedCall/model_1/add_1/add>')?.outputShape).toEqual([
      null,
      15,
      15,
      128,
    ]);
    expect(byPath.get('<StatefulPartitionedCall/model_1/conv2d_5/BiasAdd>')?.outputShape).toEqual([
      null,
      8,
      8,
      7,
    ]);
    expect(byPath.get('<StatefulPartitionedCall/model_1/predictions/Softmax>')?.type).toBe('Softmax');
    // The shapes come from one pass on zeros; a pass on two real faces gives the same (batch aside).
    const faces = await readImageBatch([photoPaths.astronaut, photoPaths.chelsea], {
      size: [64, 64],
      channels: 1,
      normalisation: 'symmetric',
    });
    const names = graph.nodes().map((node) => node.nodeName);
    const outputs = graph.graphModel.execute(
      { [graph.inputNames[0] as string]: faces },
      names,
    ) as tf.Tensor[];
    expect(info.modules.map((module) => module.outputShape)).toEqual(
      outputs.map((output) => [null, ...output.shape.slice(1)]),
    );
    expect(outputs.every((output) => output.shape[0] === 2)).toBe(true);
    tf.dispose([faces, ...outputs]);
  });

  it('counts the weights of model.json’s manifest: 205,129 parameters', () => {
    const json = JSON.parse(readFileSync(join(emotionModelDir(), 'model.json'), 'utf8')) as {
      weightsManifest: { weights: { shape: number[] }[] }[];
    };
    const manifest = json.weightsManifest
      .flatMap((group) => group.weights)
      .reduce((sum, weight) => sum + weight.shape.reduce((product, size) => product * size, 1), 0);
    const info = describeModel(emotion.model);
    expect(info.parameters).toBe(manifest);
    expect(info.parameters).toBe(205_129);
    const text = formatModelInfo(info);
    expect(text.split('\n')[0]).toBe("Graph model 'graph': 205,129 parameters");
    expect(text).toContain('Hookable module paths (21):');
    expect(text).toMatch(
      /<StatefulPartitionedCall\/model_1\/conv2d_5\/BiasAdd> +_FusedConv2D +\[N, 8, 8, 7\]/,
    );
  });

  it('finds the last convolution as the last feature map', () => {
    expect(lastFeatureMap(describeModel(emotion.model))?.path).toBe(
      '<StatefulPartitionedCall/model_1/conv2d_5/BiasAdd>',
    );
  });
});

describe('describeModel on MobileNetV2', () => {
  it('has 162 layers, 161 hookable paths (the input layer is none), and out_relu as the last feature map', async () => {
    const loaded = await loadModel(mobileNetV2Dir());
    if (loaded.kind !== 'layers') throw new Error('MobileNetV2 is a Layers model');
    expect(loaded.model.layers).toHaveLength(162);
    const info = describeModel(loaded.model);
    expect(info.parameters).toBe(2_619_461);
    expect(info.modules).toHaveLength(161);
    expect(lastFeatureMap(info)).toEqual({
      path: 'out_relu',
      type: 'ReLU',
      outputShape: [null, 7, 7, 1280],
      parameters: 0,
    });
    loaded.dispose();
  });

  it('rejects what is not a model', () => {
    expect(() => describeModel({} as unknown as GraphModule)).toThrow(TypeError);
  });
});
