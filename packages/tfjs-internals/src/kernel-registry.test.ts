import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, inject, it } from 'vitest';

import { compositeKernel } from './composite-kernel.js';
import { TfjsInternalsError } from './errors.js';
import { findKernel, registerKernelPatch } from './kernel-registry.js';

const backend = inject('tdhookBackend');

describe('registerKernelPatch', () => {
  it('replaces a kernel, keeps its setupFunc, and the undo puts the stock kernel back', () => {
    const stock = findKernel('Neg', backend);
    expect(stock).toBeDefined();
    const undo = registerKernelPatch({
      kernelName: 'Neg',
      backendName: backend,
      kernelFunc: compositeKernel(({ x }) => tf.mul(x as tf.Tensor, 2)),
    });
    const patched = findKernel('Neg', backend);
    expect(patched?.setupFunc).toBe(stock?.setupFunc);
    const x = tf.tensor1d([1, -2]);
    const doubled = tf.neg(x);
    expect(doubled).toBeCloseToTensor([2, -4]);
    undo();
    expect(findKernel('Neg', backend)).toBe(stock);
    const negated = tf.neg(x);
    expect(negated).toBeCloseToTensor([-1, 2]);
    tf.dispose([x, doubled, negated]);
  });

  it('stays on top of a kernel registered again later, and wraps the newcomer', () => {
    const stock = findKernel('Neg', backend) as tf.KernelConfig;
    const seen: tf.KernelConfig[] = [];
    const undo = registerKernelPatch({
      kernelName: 'Neg',
      backendName: backend,
      wrap: (below) => {
        seen.push(below);
        return { ...below, kernelFunc: (args) => below.kernelFunc(args) };
      },
    });
    // A second copy of the backend registering its kernels again.
    const again = { ...stock };
    tf.unregisterKernel('Neg', backend);
    tf.registerKernel(again);
    expect(seen).toEqual([stock, again]);
    expect(findKernel('Neg', backend)).not.toBe(again);
    const x = tf.tensor1d([3]);
    const y = tf.neg(x);
    expect(y).toBeCloseToTensor([-3]);
    undo();
    expect(findKernel('Neg', backend)).toBe(again);
    tf.unregisterKernel('Neg', backend);
    tf.registerKernel(stock);
    tf.dispose([x, y]);
  });

  it('refuses to wrap a kernel the backend does not have', () => {
    let error: unknown;
    try {
      registerKernelPatch({ kernelName: 'NoSuchKernel', backendName: backend, wrap: (below) => below });
    } catch (caught) {
      error = caught;
    }
    expect(TfjsInternalsError.isInstance(error)).toBe(true);
    expect((error as TfjsInternalsError).code).toBe('E_TFJS_NOT_REGISTERED');
    expect(findKernel('NoSuchKernel', backend)).toBeUndefined();
  });
});
