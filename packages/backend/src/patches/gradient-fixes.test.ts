import * as tf from '@tensorflow/tfjs-core';
import { findGradient, releaseAbandonedTape } from '@tdhook/tfjs-internals';
import { afterEach, describe, expect, it } from 'vitest';

import { broadcastMatMulGradientPatch, comparisonGradientsPatch, reduceToShape } from './gradient-fixes.js';
import type { KernelPatch } from './kernel-patch.js';

function expectGradientFailure(fn: () => unknown, message: RegExp): void {
  try {
    expect(fn).toThrow(message);
  } finally {
    // A failed backprop leaves tfjs-core's tape active, with the tensors it saved.
    releaseAbandonedTape();
  }
}

const sequence = (shape: number[], seed: number): tf.Tensor =>
  tf.tensor(
    Array.from({ length: shape.reduce((p, d) => p * d, 1) }, (_, i) => Math.cos(seed + 0.7 * i)),
    shape,
  );

// Central differences of a scalar function of one tensor, h = 1e-2.
function finiteDifferences(f: (x: tf.Tensor) => tf.Tensor, x: tf.Tensor, h = 1e-2): number[] {
  const base = Array.from(x.dataSync());
  const at = (values: number[]): number => tf.tidy(() => f(tf.tensor(values, x.shape)).dataSync()[0] ?? NaN);
  return base.map((_, i) => {
    const up = base.map((v, j) => (j === i ? v + h : v));
    const down = base.map((v, j) => (j === i ? v - h : v));
    return (at(up) - at(down)) / (2 * h);
  });
}

describe('reduceToShape', () => {
  it('sums added leading dims and stretched size-1 dims', () => {
    tf.tidy(() => {
      expect(reduceToShape(tf.ones([3, 5, 6]), [5, 6])).toBeCloseToTensor(tf.fill([5, 6], 3));
      expect(reduceToShape(tf.ones([3, 5, 6]), [1, 5, 6])).toBeCloseToTensor(tf.fill([1, 5, 6], 3));
      expect(reduceToShape(tf.ones([2, 3, 4]), [3, 1])).toBeCloseToTensor(tf.fill([3, 1], 8));
    });
  });

  it('returns the gradient itself when the shapes already agree', () => {
    const g = tf.ones([2, 3]);
    expect(reduceToShape(g, [2, 3])).toBe(g);
    g.dispose();
  });
});

describe('all/BatchMatMul-gradient', () => {
  let undo: (() => void) | undefined;
  afterEach(() => {
    undo?.();
    undo = undefined;
  });

  it('makes matMul([3,4,5], [5,6]) differentiable w.r.t. the 2-D operand, like finite differences', () => {
    const a = sequence([3, 4, 5], 1);
    const b = sequence([5, 6], 2);
    const c = sequence([3, 4, 6], 3);
    const wrtB = (y: tf.Tensor): tf.Tensor => tf.sum(tf.mul(tf.matMul(a, y), c));
    const wrtA = (x: tf.Tensor): tf.Tensor => tf.sum(tf.mul(tf.matMul(x, b), c));
    try {
      expectGradientFailure(() => tf.grad(wrtB)(b), /Error in gradient for op BatchMatMul/);

      undo = broadcastMatMulGradientPatch.install('wasm');
      const db = tf.grad(wrtB)(b);
      const da = tf.grad(wrtA)(a);
      expect(db.shape).toEqual([5, 6]);
      expect(db).toBeCloseToTensor(
        { shape: [5, 6], data: finiteDifferences(wrtB, b) },
        { rtol: 1e-2, atol: 2e-3 },
      );
      expect(da).toBeCloseToTensor(
        { shape: [3, 4, 5], data: finiteDifferences(wrtA, a) },
        { rtol: 1e-2, atol: 2e-3 },
      );
      tf.dispose([da, db]);
    } finally {
      tf.dispose([a, b, c]);
    }
  });

  it('reduces [1,K,N] and 2-D first operands too, with transpose flags', () => {
    undo = broadcastMatMulGradientPatch.install('cpu');
    tf.tidy(() => {
      const a = sequence([2, 4, 3], 4); // transposed: logical [2,3,4]
      const b = sequence([1, 5, 4], 5); // transposed: logical [1,4,5]
      const c = sequence([2, 3, 5], 6);
      const f = (x: tf.Tensor, y: tf.Tensor): tf.Tensor => tf.sum(tf.mul(tf.matMul(x, y, true, true), c));
      const [da, db] = tf.grads(f)([a, b]);
      expect(db?.shape).toEqual([1, 5, 4]);
      expect(db).toBeCloseToTensor(
        { shape: [1, 5, 4], data: finiteDifferences((y) => f(a, y), b) },
        { rtol: 1e-2, atol: 2e-3 },
      );
      expect(da).toBeCloseToTensor(
        { shape: [2, 4, 3], data: finiteDifferences((x) => f(x, b), a) },
        { rtol: 1e-2, atol: 2e-3 },
      );

      const m = sequence([3, 4], 7);
      const batched = sequence([2, 4, 5], 8);
      const g = (x: tf.Tensor): tf.Tensor => tf.sum(tf.mul(tf.matMul(x, batched), c));
      const dm = tf.grad(g)(m);
      expect(dm).toBeCloseToTensor(
        { shape: [3, 4], data: finiteDifferences(g, m) },
        { rtol: 1e-2, atol: 2e-3 },
      );
    });
  });

  it('self-test matches its plain-JS expected values on this backend', () => {
    undo = broadcastMatMulGradientPatch.install('wasm');
    expectSelfTestPasses(broadcastMatMulGradientPatch);
  });
});

describe('all/comparison-gradients', () => {
  const x0 = [-1, 2, -3, 4];
  const ops: readonly [string, (v: tf.Tensor) => tf.Tensor][] = [
    ['Greater', (v) => tf.where(tf.greater(v, 0), tf.square(v), tf.mul(v, 0.1))],
    ['Less', (v) => tf.where(tf.less(v, 0), tf.mul(v, 0.1), tf.square(v))],
    ['LessEqual', (v) => tf.where(tf.lessEqual(v, 0), tf.mul(v, 0.1), tf.square(v))],
    ['Equal', (v) => tf.where(tf.equal(tf.abs(v), v), tf.square(v), tf.mul(v, 0.1))],
    ['NotEqual', (v) => tf.where(tf.notEqual(tf.abs(v), v), tf.mul(v, 0.1), tf.square(v))],
  ];

  it.each(ops)('%s: grad of sum(where(x > 0, x², 0.1x)) at [-1,2,-3,4] is [0.1,4,0.1,8]', (name, branch) => {
    const x = tf.tensor1d(x0);
    const f = (v: tf.Tensor): tf.Tensor => tf.sum(branch(v));
    try {
      expectGradientFailure(() => tf.grad(f)(x), new RegExp(`gradient function not found for ${name}`));
      const undo = comparisonGradientsPatch.install('cpu');
      try {
        const g = tf.grad(f)(x);
        expect(g).toBeCloseToTensor([0.1, 4, 0.1, 8], { rtol: 0, atol: 1e-6 });
        g.dispose();
      } finally {
        undo();
      }
      expect(findGradient(name)).toBeUndefined();
    } finally {
      x.dispose();
    }
  });

  it('gives zeros of each operand shape, broadcast operands included', () => {
    const undo = comparisonGradientsPatch.install('wasm');
    try {
      tf.tidy(() => {
        const a = tf.tensor2d([1, 2, 3, 4], [2, 2]);
        const b = tf.tensor1d([2, 2]);
        const [da, db] = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.where(tf.greater(x, y), x, y)))([
          a,
          b,
        ]);
        expect(da).toBeCloseToTensor([
          [0, 0],
          [1, 1],
        ]);
        expect(db).toBeCloseToTensor([1, 1]);
      });
    } finally {
      undo();
    }
  });

  it('self-test matches its expected values on this backend', () => {
    const undo = comparisonGradientsPatch.install('wasm');
    try {
      expectSelfTestPasses(comparisonGradientsPatch);
    } finally {
      undo();
    }
  });
});

describe('installing a gradient patch for both backends', () => {
  it('registers once and restores the stock gradient after the last undo', () => {
    const stock = findGradient('BatchMatMul');
    const undoWasm = broadcastMatMulGradientPatch.install('wasm');
    const patched = findGradient('BatchMatMul');
    expect(patched).not.toBe(stock);
    const undoCpu = broadcastMatMulGradientPatch.install('cpu');
    expect(findGradient('BatchMatMul')).toBe(patched); // not wrapped twice
    undoWasm();
    undoWasm(); // a second call of the same undo is a no-op
    expect(findGradient('BatchMatMul')).toBe(patched);
    undoCpu();
    expect(findGradient('BatchMatMul')).toBe(stock);
  });

  it('lists both backends and carries expected values, since the cpu reference would use the patch', () => {
    for (const patch of [broadcastMatMulGradientPatch, comparisonGradientsPatch]) {
      expect(patch.kind).toBe('gradient');
      expect(patch.backends).toEqual(['wasm', 'cpu']);
      expect(patch.selfTest?.expected).toBeDefined();
    }
  });
});

function expectSelfTestPasses(patch: KernelPatch): void {
  const test = patch.selfTest;
  if (test === undefined) throw new Error(`${patch.id} has no self-test`);
  tf.tidy(() => {
    const out = test.run();
    const actual = Array.isArray(out) ? out : [out];
    expect(actual.length).toBe(test.expected?.length);
    actual.forEach((tensor, k) => {
      expect(tensor.dataSync()).toBeCloseToTensor(new Float32Array(test.expected?.[k] ?? []), {
        rtol: 0,
        atol: test.tolerance ?? 1e-4,
      });
    });
  });
}
