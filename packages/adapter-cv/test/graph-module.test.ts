import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {} from '@tdhook/testing/vitest';
import { registerHook, TensorDict } from '@tdhook/core';
import { hookCounts } from '@tdhook/core/plugin';
import { gradCam, guidedBackprop, saliency } from '@tdhook/attribution';
import { emotionModelDir, photoPaths } from '@tdhook/cv-assets';
import { withGradientOverride } from '@tdhook/tfjs-internals';

import { loadModel, readImageBatch, type GraphModule } from '../src/index.js';
import { maxDifference } from './max-difference.js';
import { useBackendPatches } from './use-backend-patches.js';

useBackendPatches();

const prefix = 'StatefulPartitionedCall/model_1/';
const addNode = `${prefix}add_1/add`;
const lastConv = `${prefix}conv2d_5/BiasAdd`;
let graph: GraphModule;
let faces: tf.Tensor4D;

beforeAll(async () => {
  const loaded = await loadModel(emotionModelDir());
  graph = loaded.model as GraphModule;
  const photo = await readImageBatch([photoPaths.astronaut, photoPaths.chelsea], {
    size: [64, 64],
    channels: 1,
    normalisation: 'symmetric',
  });
  faces = tf.keep(photo);
});

afterAll(() => {
  faces.dispose();
  graph.dispose();
});

function execute(feeds: tf.NamedTensorMap, output: string = graph.outputNames[0] as string): tf.Tensor {
  return graph.graphModel.execute(feeds, output) as tf.Tensor;
}

describe('GraphModule', () => {
  it('lists the graph’s op nodes as children, inputs before the nodes that read them', () => {
    const names = graph.nodes().map((node) => node.nodeName);
    expect(names).toHaveLength(21);
    expect(names.indexOf(addNode)).toBeLessThan(names.indexOf(lastConv));
    expect(graph.node(lastConv).op).toBe('_FusedConv2D');
    expect(graph.inputNames).toEqual(['input_1:0']);
  });

  it('without hooks computes exactly what the Graph model computes', () => {
    const ours = graph.call(faces) as tf.Tensor;
    const theirs = execute({ [graph.inputNames[0] as string]: faces });
    expect(maxDifference(ours, theirs)).toBe(0);
    tf.dispose([ours, theirs]);
  });

  it('runs in stages when a node is hooked: a hook that changes nothing changes nothing', () => {
    const plain = graph.call(faces) as tf.Tensor;
    const seen: number[][] = [];
    const handle = registerHook(graph, `<${addNode}>`, 'forward', (output) => {
      seen.push((output as tf.Tensor).shape);
      return undefined;
    });
    const staged = graph.call(faces) as tf.Tensor;
    handle.remove();
    expect(seen).toEqual([[2, 15, 15, 128]]);
    expect(maxDifference(staged, plain)).toBe(0);
    tf.dispose([plain, staged]);
  });

  it('captures a node’s output as execute(x, node) returns it', () => {
    const captured: tf.Tensor[] = [];
    const handle = registerHook(graph, `<${lastConv}>`, 'forward', (output) => {
      captured.push(tf.keep(tf.clone(output as tf.Tensor)));
      return undefined;
    });
    const output = graph.call(faces) as tf.Tensor;
    handle.remove();
    const expected = execute({ [graph.inputNames[0] as string]: faces }, lastConv);
    expect(captured).toHaveLength(1);
    expect(maxDifference(captured[0] as tf.Tensor, expected)).toBe(0);
    tf.dispose([output, expected, ...captured]);
  });

  it('replaces a node’s output: the same as feeding the graph that value', () => {
    const handle = registerHook(graph, `<${addNode}>`, 'forward', (output) =>
      tf.zerosLike(output as tf.Tensor),
    );
    const replaced = tf.tidy(() => graph.call(faces) as tf.Tensor);
    handle.remove();
    const fed = tf.tidy(() =>
      execute({ [graph.inputNames[0] as string]: faces, [addNode]: tf.zeros([2, 15, 15, 128]) }),
    );
    expect(maxDifference(replaced, fed)).toBe(0);
    const plain = tf.tidy(() => graph.call(faces) as tf.Tensor);
    expect(maxDifference(replaced, plain)).toBeGreaterThan(1e-3);
    tf.dispose([replaced, fed, plain]);
  });

  it('runs forward-pre hooks on a node’s inputs and backward-pre hooks on its gradient', () => {
    const pre = registerHook(graph, `<${lastConv}>`, 'forward-pre', (args) => [
      tf.mul(args[0] as tf.Tensor, 0),
    ]);
    const zeroed = tf.tidy(() => graph.call(faces) as tf.Tensor);
    pre.remove();
    // A zero input leaves the bias: every face gets the same prediction.
    const [first, second] = [tf.slice(zeroed, [0, 0], [1, -1]), tf.slice(zeroed, [1, 0], [1, -1])];
    expect(maxDifference(first, second)).toBeLessThan(1e-6);
    tf.dispose([zeroed, first, second]);

    const score = (x: tf.Tensor): tf.Tensor => tf.sum(tf.slice(graph.call(x) as tf.Tensor, [0, 3], [-1, 1]));
    const plain = tf.grad(score)(faces);
    const doubled = registerHook(graph, `<${lastConv}>`, 'backward-pre', (gradient) => tf.mul(gradient, 2));
    const scaled = tf.grad(score)(faces);
    doubled.remove();
    const twice = tf.mul(plain, 2);
    expect(maxDifference(scaled, twice)).toBeLessThan(1e-6);
    tf.dispose([plain, scaled, twice]);
  });

  it('differentiates like tf.grad through execute: saliency is exact', () => {
    using data = new TensorDict({ input: tf.clone(faces) }, { batchShape: [2] });
    using prepared = saliency({ target: { select: 3 } }).prepare(graph);
    using result = prepared.run(data);
    const expected = tf.grad((x: tf.Tensor) =>
      tf.sum(tf.slice(execute({ [graph.inputNames[0] as string]: x }), [0, 3], [-1, 1])),
    )(faces);
    // Measured: 0 on wasm and cpu (the same kernels in the same order).
    expect(maxDifference(result.getTensor(['attr', 'input']), expected)).toBeLessThan(1e-7);
    expected.dispose();
  });

  it('guides the ReLUs fused into its nodes: guided backprop equals a guided Relu gradient through execute', () => {
    // Four _FusedConv2D nodes fuse BiasAdd + Relu, one node is a plain Relu: all five are guided.
    const guided = guidedBackprop({ target: { select: 3 } });
    const hooked = guided.plan({}, graph).hooks.map(({ path }) => path);
    expect(hooked).toHaveLength(5);
    expect(hooked.filter((path) => path.endsWith('_act/Relu>'))).toHaveLength(5);
    using data = new TensorDict({ input: tf.clone(faces) }, { batchShape: [2] });
    using prepared = guided.prepare(graph);
    using result = prepared.run(data);
    // The reference: every Relu kernel's gradient replaced by max(dy, 0)·[x > 0] (fused ops run their ReLU as
    // a Relu kernel while a gradient tape records).
    const guidedRelu: tf.GradConfig = {
      kernelName: 'Relu',
      inputsToSave: ['x'],
      gradFunc: (dy, [x]) => ({ x: () => tf.mul(tf.relu(dy as tf.Tensor), tf.step(x as tf.Tensor)) }),
    };
    const expected = withGradientOverride(guidedRelu, () =>
      tf.grad((x: tf.Tensor) =>
        tf.sum(tf.slice(execute({ [graph.inputNames[0] as string]: x }), [0, 3], [-1, 1])),
      )(faces),
    );
    const plain = tf.grad((x: tf.Tensor) =>
      tf.sum(tf.slice(execute({ [graph.inputNames[0] as string]: x }), [0, 3], [-1, 1])),
    )(faces);
    expect(maxDifference(result.getTensor(['attr', 'input']), expected)).toBeLessThan(1e-6);
    expect(maxDifference(expected, plain)).toBeGreaterThan(1e-3); // guiding changes the result
    tf.dispose([expected, plain]);
  });

  it('runs Grad-CAM at a named node, upsampled to the input', () => {
    const layer = `<${lastConv}>`;
    using data = new TensorDict({ input: tf.clone(faces) }, { batchShape: [2] });
    using prepared = gradCam({ layers: layer, target: { select: 'argmax' }, upsample: 'bilinear' }).prepare(
      graph,
    );
    using result = prepared.run(data);
    const map = result.getTensor(['attr', layer]);
    expect(map.shape).toEqual([2, 64, 64, 1]);
    const extreme = tf.tidy(() => tf.max(tf.abs(map)));
    expect(extreme.dataSync()[0]).toBeGreaterThan(0);
    extreme.dispose();
  });

  it('says which nodes exist when a name is wrong', () => {
    expect(() => graph.node('StatefulPartitionedCall/model_1/conv2d_9/BiasAdd')).toThrowTdhookError(
      'E_CV_GRAPH',
      /no hookable node .*conv2d_9.*Did you mean .*BiasAdd/,
    );
    expect(() => saliency({ modules: ['<model/nothing>'] }).prepare(graph)).toThrowTdhookError(
      'E_UNKNOWN_PATH',
    );
  });

  it('is restored after a method and after a hook that throws', () => {
    const before = graph.call(faces) as tf.Tensor;
    const handle = registerHook(graph, `<${addNode}>`, 'forward', () => {
      throw new Error('broken hook');
    });
    expect(() => graph.call(faces)).toThrow(/broken hook/);
    handle.remove();
    {
      using prepared = saliency({ modules: [`<${addNode}>`], target: { select: 0 } }).prepare(graph);
      using data = new TensorDict({ input: tf.clone(faces) }, { batchShape: [2] });
      prepared.run(data).dispose();
    }
    const after = graph.call(faces) as tf.Tensor;
    expect(maxDifference(before, after)).toBe(0);
    const counts = graph.nodes().map((node) => Object.values(hookCounts(node)).reduce((a, b) => a + b, 0));
    expect(counts.every((count) => count === 0)).toBe(true);
    expect(Object.values(hookCounts(graph)).every((count) => count === 0)).toBe(true);
    tf.dispose([before, after]);
  });
});
