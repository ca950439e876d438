import * as tf from '@tensorflow/tfjs-core';

import { Lambda } from '@tdhook/core';

import type { ActivationFunction } from './config.js';

const sqrtTwoOverPi = Math.sqrt(2 / Math.PI);

/**
 * GPT-2's `gelu_new`: `0.5 x (1 + tanh(sqrt(2/π) (x + 0.044715 x³)))`, the tanh approximation.
 *
 * @example
 * geluNew(tf.tensor([-1, 0, 1])); // [-0.1588, 0, 0.8412]
 */
export function geluNew(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const cube = tf.mul(tf.pow(x, 3), 0.044715);
    const inner = tf.mul(tf.add(x, cube), sqrtTwoOverPi);
    return tf.mul(tf.mul(x, 0.5), tf.add(tf.tanh(inner), 1));
  });
}

/**
 * The exact GELU, `0.5 x (1 + erf(x / √2))`.
 *
 * @example
 * geluExact(tf.tensor([1])); // [0.8413]
 */
export function geluExact(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.mul(tf.mul(x, 0.5), tf.add(tf.erf(tf.mul(x, Math.SQRT1_2)), 1)));
}

/**
 * The MLP's activation as a parameter-free module (a core `Lambda`, so it has its own path, `mlp.act`). Its
 * label is `gelu` for both GELUs and `relu` for ReLU, the names LRP recognises as activations.
 *
 * @example
 * readonly act: Lambda = this.registerModule('act', activationModule('gelu_new'));
 */
export function activationModule(name: ActivationFunction): Lambda {
  switch (name) {
    case 'gelu_new':
      return new Lambda('gelu', geluNew);
    case 'gelu':
      return new Lambda('gelu', geluExact);
    case 'relu':
      return new Lambda('relu', (x: tf.Tensor) => tf.relu(x));
  }
}
