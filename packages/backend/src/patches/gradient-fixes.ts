import * as tf from '@tensorflow/tfjs-core';
import { registerGradientPatch } from '@tdhook/tfjs-internals';

import type { KernelPatch, PatchableBackend } from './kernel-patch.js';

// Not exported by tfjs-core's public API.
type GradientMap = ReturnType<tf.GradFunc>;

/**
 * Sums `gradient` over the dims that broadcasting added or stretched, so it gets `shape`, the shape of the
 * operand it belongs to (numpy's `unbroadcast`).
 *
 * @example
 * const db = reduceToShape(tf.ones([3, 5, 6]), [5, 6]); // [5, 6], every value 3
 */
export function reduceToShape(gradient: tf.Tensor, shape: readonly number[]): tf.Tensor {
  const lead = gradient.rank - shape.length;
  let reduced = lead > 0 ? tf.sum(gradient, [...Array(lead).keys()]) : gradient;
  const stretched = shape.flatMap((dim, axis) => (dim === 1 && reduced.shape[axis] !== 1 ? [axis] : []));
  if (stretched.length > 0) reduced = tf.sum(reduced, stretched, true);
  const same = reduced.rank === shape.length && reduced.shape.every((dim, axis) => dim === shape[axis]);
  return same ? reduced : tf.reshape(reduced, [...shape]);
}

// Gradients are global, not per backend: installing for wasm and then for cpu must register once. Each
// install returns its own undo; the registration is undone when the last one is.
function installOnce(register: () => () => void): (backend: PatchableBackend) => () => void {
  let installs = 0;
  let unregister: (() => void) | undefined;
  return () => {
    if (installs === 0) unregister = register();
    installs += 1;
    let undone = false;
    return () => {
      if (undone) return;
      undone = true;
      installs -= 1;
      if (installs === 0) {
        unregister?.();
        unregister = undefined;
      }
    };
  };
}

// A wrapper, so it is rebuilt over the stock gradient that tfjs-layers (or the umbrella) registers again
// when it is imported after the patch: the patch stays in force whatever the import order.
function registerBroadcastMatMulGradient(): () => void {
  return registerGradientPatch({
    kernelName: 'BatchMatMul',
    wrap: (stock) => ({
      ...stock,
      gradFunc: (dy, saved, attrs) => {
        const gradients = stock.gradFunc(dy, saved, attrs);
        const shapes: Record<string, readonly number[] | undefined> = {
          a: saved[0]?.shape,
          b: saved[1]?.shape,
        };
        const reduced: GradientMap = {};
        for (const [name, gradient] of Object.entries(gradients)) {
          const shape = shapes[name];
          reduced[name] = shape === undefined ? gradient : () => reduceToShape(gradient(), shape);
        }
        return reduced;
      },
    }),
  });
}

// Small exact values (multiples of 1/2), so float32 reproduces the plain-JS reference below exactly.
const exactValues = (count: number, seed: number): number[] =>
  Array.from({ length: count }, (_, i) => (((i * 7 + seed) % 5) - 2) / 2);

/** d/da and d/db of sum(matMul(a, b)·c) in plain JS, for a [aBatch,m,k], b [bBatch,k,n], c [batch,m,n]. */
function referenceMatMulGradients(
  dims: { batch: number; aBatch: number; bBatch: number; m: number; k: number; n: number },
  a: readonly number[],
  b: readonly number[],
  c: readonly number[],
): [number[], number[]] {
  const { batch, aBatch, bBatch, m, k, n } = dims;
  const da = new Array<number>(aBatch * m * k).fill(0);
  const db = new Array<number>(bBatch * k * n).fill(0);
  for (let i = 0; i < batch; i++) {
    const ia = aBatch === 1 ? 0 : i;
    const ib = bBatch === 1 ? 0 : i;
    for (let r = 0; r < m; r++) {
      for (let s = 0; s < k; s++) {
        for (let t = 0; t < n; t++) {
          const ct = c[(i * m + r) * n + t] ?? 0;
          da[(ia * m + r) * k + s] = (da[(ia * m + r) * k + s] ?? 0) + ct * (b[(ib * k + s) * n + t] ?? 0);
          db[(ib * k + s) * n + t] = (db[(ib * k + s) * n + t] ?? 0) + ct * (a[(ia * m + r) * k + s] ?? 0);
        }
      }
    }
  }
  return [da, db];
}

// Broadcasts: batched a times a 2-D b, a 2-D a times a batched b, and a size-1 batch stretched.
const matMulCases = [
  { batch: 2, aBatch: 2, bBatch: 1, m: 2, k: 3, n: 2, aShape: [2, 2, 3], bShape: [3, 2] },
  { batch: 2, aBatch: 1, bBatch: 2, m: 2, k: 3, n: 2, aShape: [2, 3], bShape: [2, 3, 2] },
  { batch: 2, aBatch: 2, bBatch: 1, m: 2, k: 3, n: 2, aShape: [2, 2, 3], bShape: [1, 3, 2] },
] as const;

function matMulCaseValues(dims: (typeof matMulCases)[number]): [number[], number[], number[]] {
  const { batch, aBatch, bBatch, m, k, n } = dims;
  return [exactValues(aBatch * m * k, 1), exactValues(bBatch * k * n, 2), exactValues(batch * m * n, 3)];
}

/**
 * The BatchMatMul gradient of tfjs-core, made to reduce each gradient over the broadcast batch dims to its
 * operand's shape. Stock, `tf.grad` of `matMul([B,M,K], [K,N])` with respect to the 2-D operand throws
 * (the gradient comes out `[B,K,N]`). Gradients are global, so this applies to wasm and cpu at once;
 * installing it for both registers it once, and it is unregistered when both undos have run.
 *
 * @example
 * const undo = broadcastMatMulGradientPatch.install('wasm');
 * const dW = tf.grad((w: tf.Tensor) => tf.sum(tf.matMul(x3d, w)))(w2d); // same shape as w2d
 * undo();
 */
export const broadcastMatMulGradientPatch: KernelPatch = {
  id: 'all/BatchMatMul-gradient',
  backends: ['wasm', 'cpu'],
  kind: 'gradient',
  summary:
    'BatchMatMul gradient reduced over broadcast batch dims, so matMul([B,M,K],[K,N]) is differentiable w.r.t. the 2-D operand',
  install: installOnce(registerBroadcastMatMulGradient),
  selfTest: {
    run: () =>
      matMulCases.flatMap((dims) => {
        const [a, b, c] = matMulCaseValues(dims);
        const cT = tf.tensor(c, [dims.batch, dims.m, dims.n]);
        const f = (x: tf.Tensor, y: tf.Tensor): tf.Tensor => tf.sum(tf.mul(tf.matMul(x, y), cT));
        return tf.grads(f)([tf.tensor(a, [...dims.aShape]), tf.tensor(b, [...dims.bShape])]);
      }),
    expected: matMulCases.flatMap((dims) => referenceMatMulGradients(dims, ...matMulCaseValues(dims))),
    tolerance: 1e-5,
  },
};

const comparisonKernels = ['Greater', 'Less', 'LessEqual', 'Equal', 'NotEqual'] as const;

function registerComparisonGradients(): () => void {
  const undos = comparisonKernels.map((kernelName) =>
    registerGradientPatch({
      kernelName,
      inputsToSave: ['a', 'b'],
      // A comparison is piecewise constant: zero almost everywhere, and it only selects the branch.
      gradFunc: (_dy, saved) => {
        const [a, b] = saved;
        const gradients: GradientMap = {};
        if (a !== undefined) gradients['a'] = () => tf.zerosLike(a);
        if (b !== undefined) gradients['b'] = () => tf.zerosLike(b);
        return gradients;
      },
    }),
  );
  return () => {
    for (const undo of [...undos].reverse()) undo();
  };
}

/**
 * Zero gradients for `Greater`, `Less`, `LessEqual`, `Equal` and `NotEqual` (`GreaterEqual` already has one),
 * so a condition computed from a differentiated input, as in `tf.where(tf.greater(x, 0), a, b)`, no longer
 * fails with "gradient function not found for Greater". Gradients are global: applies to wasm and cpu at
 * once, registered once however many backends install it.
 *
 * @example
 * const undo = comparisonGradientsPatch.install('cpu');
 * const g = tf.grad((x: tf.Tensor) => tf.sum(tf.where(tf.greater(x, 0), tf.square(x), tf.mul(x, 0.1))))(x0);
 * undo();
 */
export const comparisonGradientsPatch: KernelPatch = {
  id: 'all/comparison-gradients',
  backends: ['wasm', 'cpu'],
  kind: 'gradient',
  summary:
    'zero gradients for Greater, Less, LessEqual, Equal and NotEqual, so where(x > 0, …) is differentiable',
  install: installOnce(registerComparisonGradients),
  selfTest: {
    // x² where the comparison picks it, otherwise 0.1x (first three) or x (the equality ops, at x = 2).
    run: () => {
      const x = tf.tensor1d([-1, 2, -3, 4]);
      const branches: ((v: tf.Tensor) => tf.Tensor)[] = [
        (v) => tf.where(tf.greater(v, 0), tf.square(v), tf.mul(v, 0.1)),
        (v) => tf.where(tf.less(v, 0), tf.mul(v, 0.1), tf.square(v)),
        (v) => tf.where(tf.lessEqual(v, 0), tf.mul(v, 0.1), tf.square(v)),
        (v) => tf.where(tf.equal(v, 2), tf.square(v), v),
        (v) => tf.where(tf.notEqual(v, 2), v, tf.square(v)),
      ];
      return branches.map((branch) => tf.grad((v: tf.Tensor) => tf.sum(branch(v)))(x));
    },
    expected: [
      [0.1, 4, 0.1, 8],
      [0.1, 4, 0.1, 8],
      [0.1, 4, 0.1, 8],
      [1, 4, 1, 1],
      [1, 4, 1, 1],
    ],
    tolerance: 1e-6,
  },
};
