import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { seededTensor } from '@tdhook/testing';
import { afterAll, describe, expect, inject, it } from 'vitest';

import { TfjsInternalsError } from './errors.js';
import { registerKernelPatch } from './kernel-registry.js';
import { RecordedPass } from './recorded-pass.js';
import { checkTfjsInternals, forgetTfjsInternalsChecks } from './self-check.js';

const backend = inject('tdhookBackend');

const exact = { rtol: 1e-5, atol: 1e-7 };

// Dense layers run fused matMuls with a bias: their backward steps skip the weight and bias gradients.
const model = tfl.sequential({
  layers: [
    tfl.layers.dense({
      inputShape: [5],
      units: 7,
      activation: 'relu',
      kernelInitializer: 'glorotNormal',
      biasInitializer: 'randomNormal',
    }),
    tfl.layers.dense({ units: 4, kernelInitializer: 'glorotNormal', biasInitializer: 'randomNormal' }),
  ],
});
afterAll(() => {
  model.dispose();
});

/** ∂(Σ_rows logits[row, unit])/∂x by plain tf.grad. */
const handGradient = (x: tf.Tensor, unit: number): tf.Tensor =>
  tf.grad((input: tf.Tensor) => tf.sum(tf.slice(model.apply(input) as tf.Tensor, [0, unit], [-1, 1])))(x);

describe('RecordedPass', () => {
  it('backpropagates one recorded forward several times, equal to tf.grad each time', () => {
    const x = seededTensor([3, 5], 1);
    const pass = RecordedPass.record(() => {
      const logits = model.apply(x) as tf.Tensor;
      return [tf.sum(tf.slice(logits, [0, 1], [-1, 1])), tf.sum(tf.slice(logits, [0, 3], [-1, 1]))];
    });
    const [first, second] = pass.value as [tf.Tensor, tf.Tensor];
    const [g1] = pass.gradients(first, [x]);
    const [g3] = pass.gradients(second, [x]);
    pass.dispose();
    const [e1, e3] = [handGradient(x, 1), handGradient(x, 3)];
    expect(g1).toBeCloseToTensor(e1, exact);
    expect(g3).toBeCloseToTensor(e3, exact);
    tf.dispose([x, first, second, g1, g3, e1, e3]);
  });

  it('works inside an outer tf.grad (second order) and leaves its tape to it', () => {
    const x = tf.tensor1d([0.5, -1.5, 2]);
    // d/dx Σ (d/dx Σ x³) = d/dx Σ 3x² = 6x
    const outer = tf.grad((input: tf.Tensor) => {
      const pass = RecordedPass.record(() => tf.sum(tf.pow(input, 3)));
      const [inner] = pass.gradients(pass.value, [input]);
      pass.dispose();
      return tf.sum(inner as tf.Tensor);
    })(x);
    expect(outer).toBeCloseToTensor([3, -9, 12], exact);
    tf.dispose([x, outer]);
  });

  it('releases the tape when the forward throws', () => {
    const x = tf.tensor1d([1, 2]);
    expect(() =>
      RecordedPass.record(() => {
        tf.square(x);
        throw new Error('boom');
      }),
    ).toThrow('boom');
    // The tape is closed: a later op is not recorded, and the leak guard sees no saved tensors.
    const y = tf.square(x);
    tf.dispose([x, y]);
  });

  it('gives zeros for a source the target does not depend on', () => {
    const a = tf.tensor1d([1, 2]);
    const b = tf.tensor1d([3, 4]);
    const pass = RecordedPass.record(() => tf.sum(tf.square(a)));
    const [ga, gb] = pass.gradients(pass.value, [a, b]);
    pass.dispose();
    expect(ga).toBeCloseToTensor([2, 4], exact);
    expect(gb).toBeCloseToTensor([0, 0], exact);
    tf.dispose([a, b, ga, gb, pass.value]);
  });

  it('differentiates weights and bias too when asked (nothing skipped then), equal to tf.grads', () => {
    const [x, w, b, c] = [
      seededTensor([3, 5], 2),
      seededTensor([5, 4], 3),
      seededTensor([4], 4),
      seededTensor([3, 4], 5),
    ];
    const f = (input: tf.Tensor, weight: tf.Tensor, bias: tf.Tensor): tf.Tensor =>
      tf.sum(tf.mul(tf.fused.matMul({ a: input, b: weight, bias }), c));
    const pass = RecordedPass.record(() => f(x, w, b));
    const all = pass.gradients(pass.value, [x, w, b]);
    const [inputOnly] = pass.gradients(pass.value, [x]);
    pass.dispose();
    const expected = tf.grads(f)([x, w, b]);
    expected.forEach((gradient, index) => {
      expect(all[index]).toBeCloseToTensor(gradient, exact);
    });
    expect(inputOnly).toBeCloseToTensor(expected[0] as tf.Tensor, exact);
    tf.dispose([x, w, b, c, pass.value, ...all, inputOnly, ...expected]);
  });

  it('refuses to backpropagate a kernel without a gradient, with a typed error', () => {
    const x = tf.tensor1d([1, -2]);
    // Greater has no stock gradient.
    const pass = RecordedPass.record(() => tf.sum(tf.mul(tf.cast(tf.greater(x, 0), 'float32'), x)));
    let error: unknown;
    try {
      pass.gradients(pass.value, [x]);
    } catch (caught) {
      error = caught;
    }
    pass.dispose();
    expect(TfjsInternalsError.isInstance(error)).toBe(true);
    expect((error as TfjsInternalsError).code).toBe('E_TFJS_NO_GRADIENT');
    expect((error as Error).message).toContain('No gradient is registered for the kernel Greater');
    tf.dispose([x, pass.value]);
  });

  it('refuses use after dispose() with a typed error', () => {
    const x = tf.tensor1d([1, 2]);
    const pass = RecordedPass.record(() => tf.sum(tf.square(x)));
    pass.dispose();
    let error: unknown;
    try {
      pass.gradients(pass.value, [x]);
    } catch (caught) {
      error = caught;
    }
    expect(TfjsInternalsError.isInstance(error)).toBe(true);
    expect((error as TfjsInternalsError).code).toBe('E_TFJS_DISPOSED');
    expect((error as Error).message).toBe(
      'This RecordedPass was used after dispose(): the tensors its backward passes need are freed ' +
        '(at RecordedPass.gradients). Take every gradient you need before dispose(), or record the forward pass again.',
    );
    tf.dispose([x, pass.value]);
  });

  it('skips no parameter gradient where the fused-step check could not run (inside a kernel), only once it passed', () => {
    forgetTfjsInternalsChecks();
    const [x, w, b] = [seededTensor([3, 5], 6), seededTensor([5, 4], 7), seededTensor([4], 8)];
    const pass = RecordedPass.record(() => tf.sum(tf.fused.matMul({ a: x, b: w, bias: b })));
    // A fused matMul's backward step runs BatchMatMul twice (input, then weight gradient); the skip stops
    // the second call before it reaches this counting patch.
    let batchMatMuls = 0;
    const undoCount = registerKernelPatch({
      kernelName: 'BatchMatMul',
      backendName: backend,
      wrap: (stock) => ({
        ...stock,
        kernelFunc: (args) => {
          batchMatMuls += 1;
          return stock.kernelFunc(args);
        },
      }),
    });
    // Backpropagated from inside another kernel, where the check cannot record its probe.
    let inside: tf.Tensor | undefined;
    const undoNeg = registerKernelPatch({
      kernelName: 'Neg',
      backendName: backend,
      wrap: (stock) => ({
        ...stock,
        kernelFunc: (args) => {
          // Kept: the op around this kernel disposes what the kernel made.
          inside ??= tf.keep(pass.gradients(pass.value, [x])[0] as tf.Tensor);
          return stock.kernelFunc(args);
        },
      }),
    });
    const negated = tf.neg(x);
    undoNeg();
    const insideCalls = batchMatMuls;
    expect(checkTfjsInternals().checked).toContain(`${backend}/fusedMatMul__op`);
    batchMatMuls = 0;
    const [outside] = pass.gradients(pass.value, [x]);
    undoCount();
    pass.dispose();
    expect(insideCalls).toBe(2);
    expect(batchMatMuls).toBe(1);
    expect(inside).toBeCloseToTensor(outside as tf.Tensor, exact);
    tf.dispose([x, w, b, negated, pass.value, inside, outside]);
  });
});
