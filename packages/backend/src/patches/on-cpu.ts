import * as tf from '@tensorflow/tfjs-core';

/**
 * Runs `fn` with the cpu backend active and switches back to the backend that was active, also after an
 * error. Patch self-tests and parity tests use it to compute a stock-cpu reference.
 *
 * @example
 * const reference = await onStockCpu(() => tf.tidy(() => tf.matMul(a, b)).dataSync());
 */
export async function onStockCpu<T>(fn: () => T): Promise<T> {
  const active = tf.getBackend();
  await tf.setBackend('cpu');
  try {
    return fn();
  } finally {
    await tf.setBackend(active);
  }
}
