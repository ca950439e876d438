import * as tf from '@tensorflow/tfjs-core';
import { findKernel, releaseAbandonedTape } from '@tdhook/tfjs-internals';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

import { BackendCapabilityError } from './backend-capability-error.js';
import {
  conv3dFilterGradientGuard,
  conv3dInputGradientGuard,
  maxPool3dGradientGuard,
  maxPool3dGuard,
  maxPoolWithArgmaxGuard,
  wrongKernelGuards,
} from './wrong-kernel-guards.js';

// Runs `fn` once (each failed backprop would leave its own tape behind) and checks the error it threw.
function expectCapabilityError(fn: () => unknown, kernel: RegExp): void {
  let thrown: unknown;
  try {
    fn();
  } catch (error) {
    thrown = error;
  } finally {
    releaseAbandonedTape();
  }
  const rethrow = (): never => {
    throw thrown;
  };
  expect(rethrow).toThrowTdhookError('E_BACKEND_CAPABILITY', kernel);
  expect(rethrow).toThrow(/TF\.js 4\.22 wasm computes wrong numbers/);
  expect(rethrow).toThrow(/initBackend\(\{ backend: 'cpu' \}\)/);
}

const sequence = (shape: number[], seed: number): tf.Tensor =>
  tf.tensor(
    Array.from({ length: shape.reduce((p, d) => p * d, 1) }, (_, i) => Math.sin(seed + 1.3 * i)),
    shape,
  );

describe('BackendCapabilityError', () => {
  it('is branded as a tdhook error with code E_BACKEND_CAPABILITY and says how to fix it', () => {
    const error = new BackendCapabilityError({ what: 'It is wrong', where: 'kernel X', fix: 'Use cpu.' });
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('BackendCapabilityError');
    expect(error.code).toBe('E_BACKEND_CAPABILITY');
    expect((error as unknown as Record<symbol, unknown>)[Symbol.for('tdhook.error')]).toBe(true);
    expect(error.message).toBe('It is wrong (at kernel X). Use cpu.');
    expect(error.fix).toBe('Use cpu.');
    expect(() => {
      throw error;
    }).toThrowTdhookError('E_BACKEND_CAPABILITY', 'It is wrong');
  });
});

describe.runIf(inject('tdhookBackend') === 'wasm')('wasm guards against wrong kernels', () => {
  const stock = new Map(wrongKernelGuards.map((g) => [g.id, findKernel(g.id.slice('wasm/'.length), 'wasm')]));
  let x: tf.Tensor5D;
  let w: tf.Tensor5D;
  let undos: (() => void)[] = [];

  beforeAll(() => {
    x = sequence([1, 4, 4, 4, 2], 1) as tf.Tensor5D;
    w = sequence([2, 2, 2, 2, 3], 2) as tf.Tensor5D;
    undos = [conv3dInputGradientGuard, conv3dFilterGradientGuard, maxPool3dGuard, maxPoolWithArgmaxGuard].map(
      (guard) => guard.install('wasm'),
    );
  });
  afterAll(() => {
    for (const undo of undos.reverse()) undo();
    tf.dispose([x, w]);
  });

  it('are guards for wasm only, without self-tests', () => {
    for (const guard of wrongKernelGuards) {
      expect(guard.kind).toBe('guard');
      expect(guard.backends).toEqual(['wasm']);
      expect(guard.selfTest).toBeUndefined();
      expect(stock.get(guard.id)).toBeDefined();
    }
  });

  it('conv3d input gradient: always throws', () => {
    const f = (input: tf.Tensor): tf.Tensor => tf.sum(tf.conv3d(input as tf.Tensor5D, w, 1, 'same'));
    expectCapabilityError(() => tf.grad(f)(x), /Conv3DBackpropInputV2.*conv3d input gradient/);
  });

  it('conv3d filter gradient: throws for stride 2, runs the stock kernel for stride 1', async () => {
    const gradient = (stride: number) => (): tf.Tensor =>
      tf.grad((filter: tf.Tensor) => tf.sum(tf.conv3d(x, filter as tf.Tensor5D, stride, 'same')))(w);
    expectCapabilityError(gradient(2), /Conv3DBackpropFilterV2.*strides 2,2,2/);

    const dw = gradient(1)();
    const actual = Array.from(dw.dataSync());
    dw.dispose();
    await tf.setBackend('cpu');
    let expected: number[] = [];
    try {
      tf.tidy(() => {
        const xc = sequence([1, 4, 4, 4, 2], 1) as tf.Tensor5D;
        const wc = sequence([2, 2, 2, 2, 3], 2) as tf.Tensor5D;
        const g = tf.grad((filter: tf.Tensor) => tf.sum(tf.conv3d(xc, filter as tf.Tensor5D, 1, 'same')))(wc);
        expected = Array.from(g.dataSync());
      });
    } finally {
      await tf.setBackend('wasm');
    }
    expect(new Float32Array(actual)).toBeCloseToTensor(new Float32Array(expected), {
      rtol: 1e-5,
      atol: 1e-5,
    });
  });

  it('maxPool3d forward throws', () => {
    expectCapabilityError(() => tf.maxPool3d(x, 2, 2, 'valid'), /MaxPool3D.*negative inputs/);
  });

  it('maxPoolWithArgmax throws', () => {
    const image = sequence([1, 4, 4, 2], 3) as tf.Tensor4D;
    try {
      expectCapabilityError(() => tf.maxPoolWithArgmax(image, 2, 2, 'valid'), /MaxPoolWithArgmax/);
    } finally {
      image.dispose();
    }
  });

  it('maxPool3d gradient throws (the forward alone unguarded)', () => {
    const undoForward = undos.splice(2, 1)[0];
    undoForward?.();
    const undo = maxPool3dGradientGuard.install('wasm');
    try {
      expectCapabilityError(
        () => tf.grad((input: tf.Tensor) => tf.sum(tf.maxPool3d(input as tf.Tensor5D, 2, 2, 'valid')))(x),
        /MaxPool3DGrad/,
      );
    } finally {
      undo();
    }
  });

  it('undo puts every stock kernel back', () => {
    for (const undo of undos.reverse()) undo();
    undos = [];
    for (const guard of wrongKernelGuards) {
      expect(findKernel(guard.id.slice('wasm/'.length), 'wasm')).toBe(stock.get(guard.id));
    }
    tf.tidy(() => {
      expect(tf.maxPool3d(x, 2, 2, 'valid').shape).toEqual([1, 2, 2, 2, 2]);
    });
  });
});
