// The gradients the benchmark times: kernels that the patches touch, and three whole models.
import * as tf from '@tensorflow/tfjs-core';
import { seededTensor } from '@tdhook/testing';

/** One timed computation: built on the active backend, stepped repeatedly, then disposed. */
export interface BenchCase {
  readonly name: string;
  readonly group: 'kernel' | 'model';
  setup(): { step(): Promise<void>; dispose(): void };
}

function gradientCase(
  name: string,
  group: BenchCase['group'],
  build: () => { params: tf.Tensor[]; loss: (...params: tf.Tensor[]) => tf.Tensor; keep: tf.Tensor[] },
): BenchCase {
  return {
    name,
    group,
    setup() {
      const { params, loss, keep } = build();
      const gradients = tf.grads((...xs: tf.Tensor[]) => loss(...xs));
      return {
        async step() {
          const grads = gradients(params);
          await Promise.all(grads.map((g) => g.data()));
          tf.dispose(grads);
        },
        dispose() {
          tf.dispose([...params, ...keep]);
        },
      };
    },
  };
}

export const benchCases: readonly BenchCase[] = [
  gradientCase('conv2d d/dx and d/dW, x [4,16,16,8], W [3,3,8,16], same', 'kernel', () => {
    const x = seededTensor([4, 16, 16, 8], 1);
    const w = seededTensor([3, 3, 8, 16], 2);
    return {
      params: [x, w],
      loss: (a, b) => tf.sum(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'same')),
      keep: [],
    };
  }),
  gradientCase('depthwise conv d/dx and d/dW, x [4,16,16,16], W [3,3,16,1]', 'kernel', () => {
    const x = seededTensor([4, 16, 16, 16], 3);
    const w = seededTensor([3, 3, 16, 1], 4);
    return {
      params: [x, w],
      loss: (a, b) => tf.sum(tf.depthwiseConv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'same')),
      keep: [],
    };
  }),
  gradientCase('max-pool 2×2 d/dx, x [8,32,32,16]', 'kernel', () => {
    const x = seededTensor([8, 32, 32, 16], 5);
    return { params: [x], loss: (a) => tf.sum(tf.maxPool(a as tf.Tensor4D, 2, 2, 'valid')), keep: [] };
  }),
  gradientCase('embedding (gather) d/dtable, V=5000, D=64, 512 ids', 'kernel', () => {
    const table = seededTensor([5000, 64], 6);
    const ids = tf.tensor1d(
      Array.from({ length: 512 }, (_, i) => (i * 7919) % 5000),
      'int32',
    );
    return { params: [table], loss: (t) => tf.sum(tf.gather(t, ids)), keep: [ids] };
  }),
  gradientCase('MLP 784→256→10, softmax cross-entropy, weight gradients, batch 64', 'model', () => {
    const x = seededTensor([64, 784], 7);
    const w1 = seededTensor([784, 256], 8);
    const w2 = seededTensor([256, 10], 9);
    const labels = tf.oneHot(
      tf.tensor1d(
        Array.from({ length: 64 }, (_, i) => i % 10),
        'int32',
      ),
      10,
    );
    return {
      params: [w1, w2],
      loss: (a, b) =>
        tf.neg(tf.mean(tf.sum(tf.mul(labels, tf.logSoftmax(tf.matMul(tf.relu(tf.matMul(x, a)), b))), 1))),
      keep: [x, labels],
    };
  }),
  gradientCase(
    'CNN conv(16)→pool→conv(32)→GAP→dense(10), [8,32,32,3], input and weight gradients',
    'model',
    () => {
      const x = seededTensor([8, 32, 32, 3], 10, 2);
      const w1 = seededTensor([3, 3, 3, 16], 11);
      const w2 = seededTensor([3, 3, 16, 32], 12);
      const w3 = seededTensor([32, 10], 13);
      return {
        params: [x, w1, w2, w3],
        loss: (input, a, b, c) => {
          const h1 = tf.maxPool(
            tf.relu(tf.conv2d(input as tf.Tensor4D, a as tf.Tensor4D, 1, 'same')),
            2,
            2,
            'valid',
          );
          const h2 = tf.mean(tf.relu(tf.conv2d(h1, b as tf.Tensor4D, 1, 'same')), [1, 2]);
          return tf.sum(tf.matMul(h2, c));
        },
        keep: [],
      };
    },
  ),
  gradientCase(
    '1-block transformer: embedding 1000×64, attention, MLP; batch 4 × 32 tokens, weight gradients',
    'model',
    () => {
      const [batch, length, width] = [4, 32, 64];
      const ids = tf.tensor1d(
        Array.from({ length: batch * length }, (_, i) => (i * 37) % 1000),
        'int32',
      );
      const weights = [
        seededTensor([1000, width], 14),
        ...[15, 16, 17, 18].map((seed) => seededTensor([width, width], seed)),
        seededTensor([width, 4 * width], 19),
        seededTensor([4 * width, width], 20),
      ];
      return {
        params: weights,
        loss: (embedding, wq, wk, wv, wo, w1, w2) => {
          const h = tf.reshape(tf.gather(embedding as tf.Tensor2D, ids), [batch * length, width]);
          const project = (w: tf.Tensor | undefined): tf.Tensor3D =>
            tf.reshape(tf.matMul(h, w as tf.Tensor2D), [batch, length, width]);
          const [q, k, v] = [project(wq), project(wk), project(wv)];
          const attention = tf.softmax(tf.div(tf.matMul(q, k, false, true), Math.sqrt(width)));
          const mixed = tf.reshape(tf.matMul(attention, v), [batch * length, width]);
          const residual = tf.add(h, tf.matMul(mixed, wo as tf.Tensor2D));
          const out = tf.add(
            residual,
            tf.matMul(tf.relu(tf.matMul(residual, w1 as tf.Tensor2D)), w2 as tf.Tensor2D),
          );
          return tf.mean(tf.square(out));
        },
        keep: [ids],
      };
    },
  ),
];
