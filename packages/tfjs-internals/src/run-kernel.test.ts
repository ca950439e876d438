import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

import { TfjsInternalsError } from './errors.js';
import { runKernel } from './run-kernel.js';

describe('runKernel', () => {
  it('runs a kernel by name with its attributes', () => {
    const x = tf.tensor2d([
      [1, 2],
      [3, 4],
    ]);
    const summed = runKernel('Sum', { x }, { axis: [1], keepDims: false });
    expect(summed).toBeCloseToTensor([3, 7]);
    tf.dispose([x, summed]);
  });

  it('refuses a kernel with several outputs with a typed error, and frees them', () => {
    const x = tf.tensor1d([3, 1, 2]);
    const before = tf.memory().numTensors;
    let error: unknown;
    try {
      runKernel('TopK', { x }, { k: 2, sorted: true });
    } catch (caught) {
      error = caught;
    }
    expect(TfjsInternalsError.isInstance(error)).toBe(true);
    expect((error as TfjsInternalsError).code).toBe('E_TFJS_INVALID_CALL');
    expect((error as Error).message).toBe(
      "The TopK kernel returned 2 outputs; runKernel runs kernels with one (at runKernel('TopK')). " +
        'Run a kernel with several outputs through its op (e.g. tf.topk for TopK).',
    );
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });
});
