// The model-level parity: with every patch installed, gradients of a small CNN, a depthwise block and
// an embedding + attention block through tf.grads are equal on patched wasm and on cpu.
import * as tf from '@tensorflow/tfjs-core';
import { seededTensor } from '@tdhook/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

import { defaultPatches } from './patches/default-patches.js';
import { installPatches, restorePatches } from './patches/install-patches.js';

const backend = inject('tdhookBackend');

interface ModelCase {
  readonly name: string;
  /** Builds inputs and parameters and returns every gradient of the loss, as arrays. */
  gradients(): number[][];
}

const read = (tensors: tf.Tensor[]): number[][] => tensors.map((t) => Array.from(t.dataSync()));

const cases: ModelCase[] = [
  {
    name: 'small CNN: conv → relu → max-pool (with all-negative windows) → conv stride 2 → GAP → dense',
    gradients: () =>
      tf.tidy(() => {
        const x = tf.sub(seededTensor([2, 8, 8, 3], 1, 2), 0.6); // mostly negative: many windows with no positive value
        const params = [
          x,
          seededTensor([3, 3, 3, 4], 2, 0.5),
          seededTensor([3, 3, 4, 6], 3, 0.5),
          seededTensor([6, 5], 4, 0.5),
        ];
        const loss = (input: tf.Tensor, w1: tf.Tensor, w2: tf.Tensor, w3: tf.Tensor): tf.Scalar => {
          const h1 = tf.maxPool(
            tf.relu(tf.conv2d(input as tf.Tensor4D, w1 as tf.Tensor4D, 1, 'same')),
            2,
            2,
            'valid',
          );
          const pooledRaw = tf.maxPool(
            tf.conv2d(input as tf.Tensor4D, w1 as tf.Tensor4D, 1, 'same'),
            2,
            2,
            'valid',
          ); // negative windows
          const h2 = tf.mean(
            tf.relu(tf.conv2d(tf.add<tf.Tensor4D>(h1, pooledRaw), w2 as tf.Tensor4D, 2, 'same')),
            [1, 2],
          );
          return tf.sum(tf.square(tf.matMul(h2 as tf.Tensor2D, w3 as tf.Tensor2D)));
        };
        return read(
          tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor, d: tf.Tensor) => loss(a, b, c, d))(params),
        );
      }),
  },
  {
    name: 'depthwise block: depthwise conv (multiplier 2) → relu → pointwise conv',
    gradients: () =>
      tf.tidy(() => {
        const params = [
          seededTensor([2, 6, 6, 3], 5, 2),
          seededTensor([3, 3, 3, 2], 6, 0.5),
          seededTensor([1, 1, 6, 4], 7, 0.5),
        ];
        return read(
          tf.grads((x: tf.Tensor, dw: tf.Tensor, pw: tf.Tensor) =>
            tf.sum(
              tf.square(
                tf.conv2d(
                  tf.relu(tf.depthwiseConv2d(x as tf.Tensor4D, dw as tf.Tensor4D, 1, 'same')),
                  pw as tf.Tensor4D,
                  1,
                  'valid',
                ),
              ),
            ),
          )(params),
        );
      }),
  },
  {
    name: 'embedding + attention block: gather, q·kᵀ with a transposed matmul, softmax, a causal where(), output projection',
    gradients: () =>
      tf.tidy(() => {
        const [batch, length, width] = [2, 5, 8];
        const ids = tf.tensor1d([3, 1, 4, 1, 5, 9, 2, 6, 5, 3], 'int32');
        const params = [
          seededTensor([12, width], 8, 0.5),
          seededTensor([width, width], 9, 0.5),
          seededTensor([width, width], 10, 0.5),
          seededTensor([width, width], 11, 0.5),
          seededTensor([width, 3], 12, 0.5),
        ];
        const positions = tf.range(0, length);
        const causal = tf.greaterEqual(
          tf.reshape(positions, [length, 1]),
          tf.reshape(positions, [1, length]),
        );
        return read(
          tf.grads((table: tf.Tensor, wq: tf.Tensor, wk: tf.Tensor, wv: tf.Tensor, wo: tf.Tensor) => {
            const h = tf.reshape(tf.gather(table, ids), [batch, length, width]);
            // [B,L,W] × [W,W]: the broadcast-reducing matmul gradient is what makes this differentiable w.r.t. wq.
            const q = tf.matMul(h, tf.broadcastTo(wq, [1, width, width]));
            const k = tf.matMul(h, tf.broadcastTo(wk, [1, width, width]));
            const v = tf.matMul(h, tf.broadcastTo(wv, [1, width, width]));
            const scores = tf.where(
              tf.broadcastTo(causal, [batch, length, length]),
              tf.div(tf.matMul(q, k, false, true), Math.sqrt(width)),
              tf.fill([batch, length, length], -1e9),
            );
            const mixed = tf.matMul(tf.softmax(scores), v);
            const pooled = tf.mean(mixed, 1);
            return tf.sum(tf.square(tf.matMul(pooled, wo as tf.Tensor2D)));
          })(params),
        );
      }),
  },
];

describe.runIf(backend === 'wasm')('model gradients on patched wasm equal those on cpu', () => {
  beforeAll(async () => {
    const reports = await installPatches('wasm', defaultPatches);
    expect(reports.filter((report) => report.status !== 'installed')).toEqual([]);
  });
  afterAll(() => {
    restorePatches();
  });

  it.each(cases)('$name', async (modelCase) => {
    const onWasm = modelCase.gradients();
    await tf.setBackend('cpu');
    let onCpu: number[][];
    try {
      onCpu = modelCase.gradients();
    } finally {
      await tf.setBackend('wasm');
    }
    expect(onWasm.length).toBe(onCpu.length);
    onWasm.forEach((values, index) => {
      const reference = onCpu[index] ?? [];
      expect(values.some((value) => value !== 0)).toBe(true); // a real gradient, not an all-zero one
      expect(values).toBeCloseToTensor(reference, { rtol: 1e-4, atol: 1e-5 });
    });
  });
});
