import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, inject, it } from 'vitest';

import { parseTestBackends } from './backends.js';

describe('test backends', () => {
  it('runs each project on the backend it was given', () => {
    expect(tf.getBackend()).toBe(inject('tdhookBackend'));
  });

  it('defaults to wasm then cpu and accepts a comma-separated list', () => {
    expect(parseTestBackends(undefined)).toEqual(['wasm', 'cpu']);
    expect(parseTestBackends(' CPU ')).toEqual(['cpu']);
    expect(parseTestBackends('cpu,wasm,cpu')).toEqual(['cpu', 'wasm']);
  });

  it('rejects an unknown backend with the list of known ones', () => {
    expect(() => parseTestBackends('webgl')).toThrow(
      /unknown backend webgl\. Use a comma-separated list of wasm, cpu/,
    );
  });
});

describe('gradients', () => {
  it('are registered: d/dx sum(relu(x)·x) matches the closed form on this backend', () => {
    const x = tf.tensor1d([-2, -0.5, 0.5, 3]);
    const gradient = tf.grad((input: tf.Tensor) => tf.sum(tf.mul(tf.relu(input), input)))(x);
    expect(gradient).toBeCloseToTensor([0, 0, 1, 6], { rtol: 0, atol: 1e-6 });
    tf.dispose([x, gradient]);
  });
});

describe('gradient registry', () => {
  it('has every gradient tfjs-core ships, registered with the installed tfjs-core', () => {
    for (const kernel of [
      'Add',
      'BatchMatMul',
      'Conv2D',
      'Conv2DBackpropInput',
      'MaxPool',
      'AvgPool',
      'Relu',
      'Softmax',
      'Sum',
      'Mean',
      'GatherV2',
      'DepthwiseConv2dNative',
      'FusedBatchNorm',
      'Transpose',
      'Reshape',
    ]) {
      // A read-only lookup; @tdhook/testing cannot use @tdhook/tfjs-internals, whose tests depend on it.
      // eslint-disable-next-line no-restricted-syntax
      expect(tf.getGradient(kernel), kernel).toBeDefined();
    }
  });

  it('differentiates a conv → max-pool → mean network like finite differences do', () => {
    const x = tf.tensor4d(
      Array.from({ length: 2 * 5 * 5 * 2 }, (_, i) => Math.sin(i * 1.7) + 0.1 * i),
      [2, 5, 5, 2],
    );
    const w = tf.tensor4d(
      Array.from({ length: 3 * 3 * 2 * 3 }, (_, i) => Math.cos(i * 0.9)),
      [3, 3, 2, 3],
    );
    const f = (input: tf.Tensor): tf.Scalar =>
      tf.tidy(() =>
        tf.mean(tf.square(tf.maxPool(tf.relu(tf.conv2d(input as tf.Tensor4D, w, 1, 'same')), 2, 2, 'valid'))),
      );
    const analytic = tf.grad(f)(x);
    // Central differences in float64 on the host, one coordinate at a time, for a few coordinates.
    const values = x.dataSync();
    const grad = analytic.dataSync();
    for (const i of [0, 7, 23, 49, 77, 99]) {
      const h = 1e-2;
      const shifted = (delta: number): number => {
        const copy = Float32Array.from(values);
        copy[i] = (copy[i] ?? 0) + delta;
        const input = tf.tensor4d(copy, [2, 5, 5, 2]);
        const output = f(input);
        const value = output.dataSync()[0] ?? NaN;
        tf.dispose([input, output]);
        return value;
      };
      const numeric = (shifted(h) - shifted(-h)) / (2 * h);
      expect(grad[i], `d/dx[${i}]`).toBeCloseTo(numeric, 1);
    }
    tf.dispose([x, w, analytic]);
  });
});
