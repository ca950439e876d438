// A small CNN as a tdhook Module (conv 3×3 → ReLU → max-pool 2 → conv 3×3 → ReLU → global average → dense),
// NHWC, seeded; its layers expose what LRP rules need (forwardWith, lrpKind).
import * as tf from '@tensorflow/tfjs-core';
import { Lambda, Module } from '@tdhook/core';

import { Dense } from './transformer.js';

const normal = (shape: number[], std: number, seed: number): tf.Tensor =>
  tf.randomNormal(shape, 0, std, 'float32', seed);

/**
 * A 3×3 'same' convolution with bias; `forwardWith` makes it an LRP convolution.
 *
 * @example
 * const conv = new Conv(1, 8, 1);
 */
export class Conv extends Module {
  readonly kernel: tf.Variable;
  readonly bias: tf.Variable;

  constructor(inputs: number, outputs: number, seed: number) {
    super();
    this.kernel = this.registerParameter(
      'kernel',
      normal([3, 3, inputs, outputs], Math.sqrt(2 / (9 * inputs)), seed),
    );
    this.bias = this.registerParameter('bias', normal([outputs], 0.05, seed + 1000));
  }

  /** The convolution with other parameters (what LRP rules use). */
  forwardWith(x: tf.Tensor, params: { readonly kernel: tf.Tensor; readonly bias?: tf.Tensor }): tf.Tensor {
    const z = tf.conv2d(x as tf.Tensor4D, params.kernel as tf.Tensor4D, 1, 'same');
    return params.bias === undefined ? z : tf.add(z, params.bias);
  }

  forward(x: tf.Tensor): tf.Tensor {
    return this.forwardWith(x, this);
  }
}

class MaxPool extends Module {
  /** For LRP: max-pooling routes relevance like its gradient. */
  readonly lrpKind = 'max-pool';

  forward(x: tf.Tensor): tf.Tensor {
    return tf.maxPool(x as tf.Tensor4D, 2, 2, 'valid');
  }
}

class GlobalAverage extends Module {
  /** A parameter-free linear map: LRP distributes relevance with the ε-rule (zennit's Norm). */
  forwardWith(x: tf.Tensor): tf.Tensor {
    return tf.mean(x, [1, 2]);
  }

  forward(x: tf.Tensor): tf.Tensor {
    return this.forwardWith(x);
  }
}

/**
 * conv1 (→ 8) → relu1 → pool1 → conv2 (→ 16) → relu2 → gap → fc (→ 10), on `[batch, 16, 16, 1]` images.
 *
 * @example
 * const cnn = new SmallCnn();
 * const logits = cnn.call(images); // [batch, 10]
 */
export class SmallCnn extends Module {
  readonly conv1: Conv;
  readonly relu1: Lambda;
  readonly pool1: MaxPool;
  readonly conv2: Conv;
  readonly relu2: Lambda;
  readonly gap: GlobalAverage;
  readonly fc: Dense;

  constructor(seed = 1) {
    super();
    this.conv1 = this.registerModule('conv1', new Conv(1, 8, seed));
    this.relu1 = this.registerModule('relu1', new Lambda('relu', (x: tf.Tensor) => tf.relu(x)));
    this.pool1 = this.registerModule('pool1', new MaxPool());
    this.conv2 = this.registerModule('conv2', new Conv(8, 16, seed + 1));
    this.relu2 = this.registerModule('relu2', new Lambda('relu', (x: tf.Tensor) => tf.relu(x)));
    this.gap = this.registerModule('gap', new GlobalAverage());
    this.fc = this.registerModule('fc', new Dense(16, 10, seed + 2));
  }

  forward(x: tf.Tensor): tf.Tensor {
    const h = this.pool1.call(this.relu1.call(this.conv1.call(x)));
    return this.fc.call(this.gap.call(this.relu2.call(this.conv2.call(h))));
  }
}
