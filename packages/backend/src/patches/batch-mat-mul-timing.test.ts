import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

import { fastBatchMatMulPatch } from './batch-mat-mul.js';

// Timings are logged, never asserted: the machine is shared and noisy. Values are only checked to agree.

const random = (shape: number[], seed: number, scale: number): tf.Tensor =>
  tf.tidy(() => tf.mul(tf.randomUniform(shape, -1, 1, 'float32', seed), scale));

function median(samples: number[]): number {
  const sorted = [...samples].sort((p, q) => p - q);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

function timeMs(run: () => void, reps: number, warmup = 2): number {
  for (let i = 0; i < warmup; i++) run();
  const samples: number[] = [];
  for (let i = 0; i < reps; i++) {
    const start = performance.now();
    run();
    samples.push(performance.now() - start);
  }
  return median(samples);
}

describe.runIf(inject('tdhookBackend') === 'wasm')('fast wasm BatchMatMul timing (logged)', () => {
  // BACKENDS.md §2: MLP 64x784 → 256 (relu) → 10, softmax cross-entropy, gradient w.r.t. all weights.
  let params: tf.Tensor[] = [];
  let x: tf.Tensor;
  let labels: tf.Tensor;
  beforeAll(() => {
    x = random([64, 784], 1, 1);
    labels = tf.tidy(() =>
      tf.oneHot(
        tf.tensor1d(
          [...Array(64).keys()].map((i) => i % 10),
          'int32',
        ),
        10,
      ),
    );
    params = [random([784, 256], 2, 0.05), tf.zeros([256]), random([256, 10], 3, 0.1), tf.zeros([10])];
  });
  afterAll(() => {
    tf.dispose([x, labels, ...params]);
  });

  const loss = (w1: tf.Tensor, b1: tf.Tensor, w2: tf.Tensor, b2: tf.Tensor): tf.Tensor => {
    const hidden = tf.relu(tf.add(tf.matMul(x, w1), b1));
    const logits = tf.add(tf.matMul(hidden, w2), b2);
    return tf.neg(tf.mean(tf.sum(tf.mul(labels, tf.logSoftmax(logits)), 1)));
  };
  const gradients = (): number[][] =>
    tf.tidy(() =>
      tf
        .grads(loss)(params)
        .map((g) => Array.from(g.dataSync())),
    );
  const step = (): void => {
    tf.tidy(() => {
      for (const g of tf.grads(loss)(params)) g.dataSync();
    });
  };

  it('MLP gradient: stock vs patched', () => {
    const stockGradients = gradients();
    const stockMs = timeMs(step, 10);
    const undo = fastBatchMatMulPatch.install('wasm');
    let patchedMs: number;
    let patchedGradients: number[][];
    try {
      patchedGradients = gradients();
      patchedMs = timeMs(step, 20);
    } finally {
      undo();
    }
    console.log(
      `[timing] wasm MLP 64x784→256→10 gradient: stock ${stockMs.toFixed(1)} ms, ` +
        `patched ${patchedMs.toFixed(1)} ms (${(stockMs / patchedMs).toFixed(1)}x)`,
    );
    patchedGradients.forEach((values, k) => {
      expect(new Float32Array(values)).toBeCloseToTensor(new Float32Array(stockGradients[k] ?? []), {
        rtol: 1e-4,
        atol: 1e-6,
      });
    });
  });

  it('rank-3 x shared 2-D matmul [8,128,256]x[256,256]: stock vs patched', () => {
    const a = random([8, 128, 256], 4, 1);
    const b = random([256, 256], 5, 0.1);
    const forward = (): void => {
      tf.tidy(() => {
        tf.matMul(a, b).dataSync();
      });
    };
    try {
      const stockMs = timeMs(forward, 5, 1);
      const undo = fastBatchMatMulPatch.install('wasm');
      let patchedMs: number;
      try {
        patchedMs = timeMs(forward, 10);
      } finally {
        undo();
      }
      console.log(
        `[timing] wasm matMul [8,128,256]x[256,256]: stock ${stockMs.toFixed(1)} ms, ` +
          `patched ${patchedMs.toFixed(1)} ms (${(stockMs / patchedMs).toFixed(1)}x)`,
      );
    } finally {
      tf.dispose([a, b]);
    }
  });
});
