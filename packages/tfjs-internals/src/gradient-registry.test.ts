import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

import { TfjsInternalsError } from './errors.js';
import { findGradient, registerGradientPatch, withGradientOverride } from './gradient-registry.js';

// A kernel no stock gradient exists for, so each test starts from "nothing registered".
const kernelName = 'TdhookTestKernel';
const config = (tag: string): tf.GradConfig => ({
  kernelName,
  gradFunc: () => ({ x: () => tf.scalar(tag.length) }),
});

describe('registerGradientPatch', () => {
  it('registers a gradient and its undo puts back what was there', () => {
    expect(findGradient(kernelName)).toBeUndefined();
    const patch = config('patch');
    const undo = registerGradientPatch(patch);
    expect(findGradient(kernelName)).toBe(patch);
    undo();
    undo(); // twice is harmless
    expect(findGradient(kernelName)).toBeUndefined();
  });

  it('stays on top when the gradient is registered again later, whatever registers it', () => {
    const stock = config('stock');
    tf.registerGradient(stock);
    const patch = config('patch');
    const undo = registerGradientPatch(patch);
    // What tfjs-layers does when it loads: register the stock gradients again.
    const reloaded = config('reloaded');
    tf.registerGradient(reloaded);
    expect(findGradient(kernelName)).toBe(patch);
    undo();
    expect(findGradient(kernelName)).toBe(reloaded); // the latest registration, not the one patched over
    tf.unregisterGradient(kernelName);
  });

  it('keeps a patch when its gradient is unregistered from elsewhere, and restores nothing then', () => {
    tf.registerGradient(config('stock'));
    const patch = config('patch');
    const undo = registerGradientPatch(patch);
    tf.unregisterGradient(kernelName);
    expect(findGradient(kernelName)).toBe(patch);
    undo();
    expect(findGradient(kernelName)).toBeUndefined();
  });

  it('rebuilds a wrapper over a gradient registered after it', () => {
    const first = config('first');
    tf.registerGradient(first);
    const wrapped: tf.GradConfig[] = [];
    const undo = registerGradientPatch({
      kernelName,
      wrap: (below) => {
        wrapped.push(below);
        return { ...below, inputsToSave: ['x'] };
      },
    });
    expect(findGradient(kernelName)?.inputsToSave).toEqual(['x']);
    const second = config('second');
    tf.registerGradient(second);
    expect(wrapped).toEqual([first, second]);
    expect(findGradient(kernelName)?.gradFunc).toBe(second.gradFunc);
    undo();
    expect(findGradient(kernelName)).toBe(second);
    tf.unregisterGradient(kernelName);
  });

  it('refuses to wrap a gradient that is not registered, changing nothing', () => {
    let error: unknown;
    try {
      registerGradientPatch({ kernelName, wrap: (below) => below });
    } catch (caught) {
      error = caught;
    }
    expect(TfjsInternalsError.isInstance(error)).toBe(true);
    expect((error as TfjsInternalsError).code).toBe('E_TFJS_NOT_REGISTERED');
    expect((error as Error).message).toContain(`No ${kernelName} gradient is registered to wrap`);
    expect(findGradient(kernelName)).toBeUndefined();
  });

  it('stacks patches that may be undone in any order', () => {
    const [a, b, c] = [config('a'), config('b'), config('c')];
    const undoA = registerGradientPatch(a);
    const undoB = registerGradientPatch(b);
    const undoC = registerGradientPatch(c);
    undoB();
    expect(findGradient(kernelName)).toBe(c);
    undoC();
    expect(findGradient(kernelName)).toBe(a);
    undoA();
    expect(findGradient(kernelName)).toBeUndefined();
  });
});

describe('withGradientOverride', () => {
  it('changes the gradient of kernels recorded inside, and puts the stock one back, also after a throw', () => {
    const stock = findGradient('Square');
    const doubled: tf.GradConfig = {
      kernelName: 'Square',
      inputsToSave: ['x'],
      gradFunc: (dy, saved) => ({ x: () => tf.mul(dy as tf.Tensor, tf.mul(saved[0] as tf.Tensor, 4)) }),
    };
    const x = tf.tensor1d([1, -2, 3]);
    const overridden = withGradientOverride(doubled, () =>
      tf.grad((v: tf.Tensor) => tf.sum(tf.square(v)))(x),
    );
    expect(overridden).toBeCloseToTensor([4, -8, 12]);
    expect(findGradient('Square')).toBe(stock);
    expect(() =>
      withGradientOverride(doubled, () => {
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(findGradient('Square')).toBe(stock);
    const plain = tf.grad((v: tf.Tensor) => tf.sum(tf.square(v)))(x);
    expect(plain).toBeCloseToTensor([2, -4, 6]);
    tf.dispose([x, overridden, plain]);
  });
});
