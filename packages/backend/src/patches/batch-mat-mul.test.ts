import * as tf from '@tensorflow/tfjs-core';
import { findKernel } from '@tdhook/tfjs-internals';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

import { fastBatchMatMulPatch } from './batch-mat-mul.js';
import { broadcastMatMulGradientPatch } from './gradient-fixes.js';
import { onStockCpu } from './on-cpu.js';

interface Values {
  readonly shape: number[];
  readonly data: number[];
}

interface MatMulCase {
  readonly a: readonly number[]; // logical [..., M, K]
  readonly b: readonly number[]; // logical [..., K, N]
  readonly transposeA: boolean;
  readonly transposeB: boolean;
}

const size = (shape: readonly number[]): number => shape.reduce((product, dim) => product * dim, 1);
const stored = (shape: readonly number[], flag: boolean): number[] =>
  flag ? [...shape.slice(0, -2), shape.at(-1) ?? 1, shape.at(-2) ?? 1] : [...shape];
const values = (shape: readonly number[], seed: number): number[] =>
  Array.from({ length: size(shape) }, (_, i) => Math.sin(seed + 0.9 * i));
const read = (t: tf.Tensor): Values => ({ shape: [...t.shape], data: Array.from(t.dataSync()) });

const shapes: readonly (readonly [readonly number[], readonly number[]])[] = [
  [
    [3, 4],
    [4, 5],
  ], // 2-D
  [
    [2, 3, 4],
    [4, 5],
  ], // [B,M,K]x[K,N]: folded
  [
    [2, 2, 3, 4],
    [4, 5],
  ], // two batch dims, folded
  [
    [2, 3, 4],
    [1, 4, 5],
  ], // [B,M,K]x[1,K,N]: folded
  [
    [1, 3, 4],
    [2, 4, 5],
  ], // [1,M,K]x[B,K,N]
  [
    [2, 3, 4],
    [2, 4, 5],
  ], // equal batches (attention)
];
const cases: MatMulCase[] = shapes.flatMap(([a, b]) =>
  [false, true].flatMap((transposeA) =>
    [false, true].map((transposeB) => ({ a, b, transposeA, transposeB })),
  ),
);
const label = (c: MatMulCase): string =>
  `[${c.a.join(',')}]x[${c.b.join(',')}] tA=${String(c.transposeA)} tB=${String(c.transposeB)}`;

function inputs(c: MatMulCase): { a: tf.Tensor; b: tf.Tensor; weights: tf.Tensor } {
  const a = tf.tensor(values(c.a, 1), stored(c.a, c.transposeA));
  const b = tf.tensor(values(c.b, 2), stored(c.b, c.transposeB));
  const out = tf.matMul(a, b, c.transposeA, c.transposeB);
  const weights = tf.tensor(values(out.shape, 3), out.shape);
  out.dispose();
  return { a, b, weights };
}

// The output and the gradients of sum(matMul(a, b)·weights) w.r.t. a and b, on the active backend.
function evaluate(c: MatMulCase): Values[] {
  let result: Values[] = [];
  tf.tidy(() => {
    const { a, b, weights } = inputs(c);
    const f = (x: tf.Tensor, y: tf.Tensor): tf.Tensor =>
      tf.sum(tf.mul(tf.matMul(x, y, c.transposeA, c.transposeB), weights));
    result = [read(tf.matMul(a, b, c.transposeA, c.transposeB)), ...tf.grads(f)([a, b]).map(read)];
  });
  return result;
}

// Central differences of the same function, through the active backend's forward pass.
function finiteDifferences(c: MatMulCase, h = 1e-2): Values[] {
  return tf.tidy(() => {
    const { a, b, weights } = inputs(c);
    const f = (x: number[], y: number[]): number =>
      tf.tidy(() => {
        const out = tf.matMul(tf.tensor(x, a.shape), tf.tensor(y, b.shape), c.transposeA, c.transposeB);
        return tf.sum(tf.mul(out, weights)).dataSync()[0] ?? NaN;
      });
    const x0 = Array.from(a.dataSync());
    const y0 = Array.from(b.dataSync());
    const along = (base: number[], at: (v: number[]) => number): number[] =>
      base.map((_, i) => {
        const up = base.map((v, j) => (j === i ? v + h : v));
        const down = base.map((v, j) => (j === i ? v - h : v));
        return (at(up) - at(down)) / (2 * h);
      });
    return [
      { shape: [...a.shape], data: along(x0, (x) => f(x, y0)) },
      { shape: [...b.shape], data: along(y0, (y) => f(x0, y)) },
    ];
  });
}

describe.runIf(inject('tdhookBackend') === 'wasm')('fast wasm BatchMatMul', () => {
  const stock = findKernel('BatchMatMul', 'wasm');
  const undos: (() => void)[] = [];
  let reference: Values[][] = [];

  beforeAll(async () => {
    // Stock cpu has no broadcast-reducing gradient either: the reference needs the (global) gradient fix.
    undos.push(broadcastMatMulGradientPatch.install('wasm'));
    reference = await onStockCpu(() => cases.map(evaluate));
    undos.push(fastBatchMatMulPatch.install('wasm'));
  });
  afterAll(() => {
    for (const undo of undos.reverse()) undo();
  });

  it('is registered in place of the stock kernel, keeping its setup', () => {
    const patched = findKernel('BatchMatMul', 'wasm');
    expect(patched?.kernelFunc).not.toBe(stock?.kernelFunc);
    expect(patched?.setupFunc).toBe(stock?.setupFunc);
  });

  it.each(cases.map((c, index) => [label(c), c, index] as const))(
    'matches stock cpu: %s (output, d/da, d/db)',
    (_name, c, index) => {
      const actual = evaluate(c);
      const expected = reference[index] ?? [];
      expect(actual).toHaveLength(3);
      actual.forEach((values, k) => {
        expect(values, `output ${String(k)}`).toBeCloseToTensor(expected[k] ?? [], {
          rtol: 1e-5,
          atol: 1e-5,
        });
      });
    },
  );

  it.each(cases.filter((_, i) => i % 3 === 0).map((c) => [label(c), c] as const))(
    'gradients match finite differences: %s',
    (_name, c) => {
      const [, da, db] = evaluate(c);
      const [fdA, fdB] = finiteDifferences(c);
      expect(da).toBeCloseToTensor(fdA ?? [], { rtol: 1e-2, atol: 2e-3 });
      expect(db).toBeCloseToTensor(fdB ?? [], { rtol: 1e-2, atol: 2e-3 });
    },
  );

  it('frees every intermediate buffer', () => {
    const backend = tf.backend();
    const before = backend.numDataIds();
    for (const c of cases) tf.tidy(() => void evaluate(c));
    expect(backend.numDataIds()).toBe(before);
  });

  it('self-test runs on wasm and matches stock cpu', async () => {
    const test = fastBatchMatMulPatch.selfTest;
    expect(test?.expected).toBeUndefined();
    const readAll = (): Values[] => {
      let values: Values[] = [];
      tf.tidy(() => {
        const out = test?.run() ?? [];
        values = (Array.isArray(out) ? out : [out]).map(read);
      });
      return values;
    };
    const actual = readAll();
    const expected = await onStockCpu(readAll);
    expect(actual.length).toBe(expected.length);
    actual.forEach((values, k) => {
      expect(values).toBeCloseToTensor(expected[k] ?? [], { atol: test?.tolerance ?? 1e-4, rtol: 0 });
    });
  });

  it('undo puts the stock kernel back', () => {
    const undo = fastBatchMatMulPatch.install('wasm');
    expect(findKernel('BatchMatMul', 'wasm')?.kernelFunc).not.toBe(stock?.kernelFunc);
    undo();
    // The outer install is still in place underneath; undo restores what this install replaced.
    expect(findKernel('BatchMatMul', 'wasm')?.kernelFunc).not.toBe(stock?.kernelFunc);
    const outer = undos.pop();
    outer?.();
    expect(findKernel('BatchMatMul', 'wasm')).toBe(stock);
  });
});
