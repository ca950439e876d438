import * as tf from '@tensorflow/tfjs-core';

/**
 * A float32 tensor of deterministic values, uniform in [-scale/2, scale/2), from a small LCG seeded by `seed`:
 * every backend (and every run) sees identical data, unlike `tf.random*`, whose streams differ by backend. The
 * caller owns it.
 *
 * @example
 * const w = seededTensor([784, 256], 2, 0.2); // the same weights on wasm and on cpu
 */
export function seededTensor(shape: readonly number[], seed: number, scale = 0.2): tf.Tensor {
  let state = seed >>> 0;
  const values = new Float32Array(shape.reduce((total, size) => total * size, 1));
  for (let i = 0; i < values.length; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    values[i] = (state / 2 ** 32 - 0.5) * scale;
  }
  return tf.tensor(values, [...shape]);
}
