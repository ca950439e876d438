// Run by wasm-threads.test.ts in a child process (vitest's own processes already hold a wasm backend): start
// wasm on 2 threads through the built package, check a matmul and a conv gradient against single-threaded
// values, stop the threads, and let the process exit by itself.
import * as tf from '@tensorflow/tfjs-core';

import { initBackend, stopWasmThreads } from '../dist/index.js';

const read = (tensors) => {
  const values = tensors.map((t) => Array.from(t.dataSync()));
  tf.dispose(tensors);
  return values;
};
const compute = () =>
  tf.tidy(() => {
    const a = tf.reshape(tf.sin(tf.range(0, 64 * 48)), [64, 48]);
    const x = tf.reshape(tf.cos(tf.range(0, 2 * 8 * 8 * 3)), [2, 8, 8, 3]);
    const w = tf.reshape(tf.sin(tf.range(0, 3 * 3 * 3 * 4)), [3, 3, 3, 4]);
    const [dx, dw] = tf.grads((p, q) => tf.sum(tf.square(tf.conv2d(p, q, 1, 'same'))))([x, w]);
    return [tf.matMul(a, a, false, true), dx, dw];
  });

await initBackend({ backend: 'wasm' });
const single = read(compute());
const report = await initBackend({ backend: 'wasm', wasmThreads: 2 });
const threaded = read(compute());
let largest = 0;
single.forEach((list, i) =>
  list.forEach((value, j) => (largest = Math.max(largest, Math.abs(value - (threaded[i]?.[j] ?? NaN))))),
);
await stopWasmThreads();
console.log(JSON.stringify({ reasons: report.reasons, largest }));
