import * as tf from '@tensorflow/tfjs-core';
import { Lambda, TensorDict, Workflow } from '@tdhook/core';
import { describe, expect, it } from 'vitest';

import { cka, ckaEstimator, informationImbalance, informationImbalanceEstimator } from '../src/index.js';
import { gaussianPoints, normalSource, must } from './dimension-sample-data.js';

function scalar(tensor: tf.Tensor): number {
  return tensor.dataSync()[0] as number;
}

/** A random orthogonal matrix (QR of a seeded Gaussian, by Gram–Schmidt in float64). */
function orthogonal(d: number, seed: number): tf.Tensor2D {
  const next = normalSource(seed);
  const columns: number[][] = [];
  for (let c = 0; c < d; c += 1) {
    let v = Array.from({ length: d }, next);
    for (const u of columns) {
      const dot = v.reduce((sum, value, i) => sum + value * must(u[i]), 0);
      v = v.map((value, i) => value - dot * must(u[i]));
    }
    const norm = Math.sqrt(v.reduce((sum, value) => sum + value * value, 0));
    columns.push(v.map((value) => value / norm));
  }
  return tf.tensor2d(Array.from({ length: d }, (_, r) => columns.map((column) => must(column[r]))));
}

describe('CKA', () => {
  it('scenario 141: identical inputs give 1 (1e-6); isotropic scaling and an orthogonal rotation give 1 (1e-5); independent 512×32 vs 512×24 gives < 0.2', () => {
    const x = gaussianPoints([100, 12], 40);
    const rotation = orthogonal(12, 41);
    const scaled = tf.mul(x, 3.5);
    const rotated = tf.matMul(x, rotation);
    const a = gaussianPoints([512, 32], 42);
    const b = gaussianPoints([512, 24], 43);
    const outs = [cka(x, x), cka(x, scaled), cka(x, rotated), cka(a, b)];
    try {
      expect(Math.abs(scalar(must(outs[0])) - 1)).toBeLessThan(1e-6);
      expect(Math.abs(scalar(must(outs[1])) - 1)).toBeLessThan(1e-5);
      expect(Math.abs(scalar(must(outs[2])) - 1)).toBeLessThan(1e-5);
      expect(scalar(must(outs[3]))).toBeLessThan(0.2);
    } finally {
      tf.dispose([x, rotation, scaled, rotated, a, b, ...outs]);
    }
  });

  it('scenario 141: batch shapes are preserved; an empty flattened batch gives an empty float32 output', () => {
    const a = gaussianPoints([2, 3, 20, 5], 44);
    const b = gaussianPoints([2, 3, 20, 4], 45);
    const out = cka(a, b);
    const emptyA = tf.zeros([0, 10, 3]);
    const emptyB = tf.zeros([0, 10, 2]);
    const empty = cka(emptyA, emptyB);
    try {
      expect(out.shape).toEqual([2, 3]);
      expect(empty.shape).toEqual([0]);
      expect(empty.dtype).toBe('float32');
    } finally {
      tf.dispose([a, b, out, empty, emptyA, emptyB]);
    }
  });

  it('scenario 141: mismatched samples, batch or rank raise (there are no devices to mismatch in TF.js) and leave nothing behind', () => {
    const a = tf.zeros([2, 3, 16, 8]);
    const b = tf.zeros([2, 4, 16, 6]);
    const c = tf.zeros([32, 8]);
    const d = tf.zeros([31, 6]);
    const flat = tf.zeros([32]);
    const before = tf.memory().numTensors;
    expect(() => cka(a, b)).toThrowTdhookError('E_SHAPE_MISMATCH', 'matching batch shapes');
    expect(() => cka(c, d)).toThrowTdhookError('E_SHAPE_MISMATCH', 'matching sample counts');
    expect(() => cka(flat, flat)).toThrowTdhookError('E_SHAPE_MISMATCH', 'shape (N, D) or (..., N, D)');
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([a, b, c, d, flat]);
  });

  it('scenario 141: a constant representation gives NaN; integers are promoted to float32 (= 1); deterministic; description', () => {
    const x = gaussianPoints([40, 6], 46);
    const constant = tf.fill([40, 3], 0.3);
    const ints = tf.tensor2d(
      Array.from({ length: 40 }, (_, i) => [i % 7, (i * 3) % 5, i % 2]),
      [40, 3],
      'int32',
    );
    const outs = [cka(x, constant), cka(ints, ints), cka(x, x), cka(x, x)];
    try {
      expect(scalar(must(outs[0]))).toBeNaN();
      expect(must(outs[1]).dtype).toBe('float32');
      expect(scalar(must(outs[1]))).toBeCloseTo(1, 6);
      expect(scalar(must(outs[2]))).toBe(scalar(must(outs[3])));
    } finally {
      tf.dispose([x, constant, ints, ...outs]);
    }
    expect(String(ckaEstimator())).toBe(
      'ckaEstimator(inKeyA="data_a", inKeyB="data_b", outKey="cka", kernel="linear", debiased=false, eps=1e-12)',
    );
    expect(String(ckaEstimator({ kernel: 'rbf' }))).toContain('kernel="rbf", sigmaFraction=1');
  });

  it("scenario 141: kernel 'rbf' is implemented here (beyond the original, which raises); unknown kernels and misplaced σ raise", () => {
    const x = gaussianPoints([50, 6], 47);
    const scaled = tf.mul(x, 2);
    const rbf = cka(x, scaled, { kernel: 'rbf' });
    const fixed = cka(x, x, { kernel: 'rbf', sigma: 3 });
    try {
      // With σ a fraction of each representation's median distance, RBF CKA is scale invariant too.
      expect(scalar(rbf)).toBeCloseTo(1, 5);
      expect(scalar(fixed)).toBeCloseTo(1, 6);
    } finally {
      tf.dispose([x, scaled, rbf, fixed]);
    }
    expect(() => ckaEstimator({ kernel: 'poly' as 'rbf' })).toThrowTdhookError(
      'E_INVALID_VALUE',
      "Unsupported kernel 'poly'",
    );
    expect(() => ckaEstimator({ sigma: 1 })).toThrowTdhookError('E_INVALID_VALUE', 'RBF kernel only');
    expect(() => ckaEstimator({ kernel: 'rbf', sigma: 1, sigmaFraction: 0.5 })).toThrowTdhookError(
      'E_INVALID_VALUE',
      'not both',
    );
    expect(() => ckaEstimator({ kernel: 'rbf', sigma: -1 })).toThrowTdhookError(
      'E_INVALID_VALUE',
      'sigma must be',
    );
  });

  it('debiased CKA: needs 4 samples; independent data lands near 0 where the biased estimate does not', () => {
    const a = gaussianPoints([40, 64], 48);
    const b = gaussianPoints([40, 64], 49);
    const biased = cka(a, b);
    const unbiased = cka(a, b, { debiased: true });
    const three = tf.zeros([3, 2]);
    try {
      expect(scalar(biased)).toBeGreaterThan(0.5);
      expect(Math.abs(scalar(unbiased))).toBeLessThan(0.1);
      expect(() => cka(three, three, { debiased: true })).toThrowTdhookError(
        'E_SHAPE_MISMATCH',
        'at least 4 samples',
      );
    } finally {
      tf.dispose([a, b, biased, unbiased, three]);
    }
  });
});

describe('information imbalance', () => {
  it('scenario 142: custom keys work; random data gives finite values; identical inputs give exactly 2/N (N = 64)', () => {
    const estimator = informationImbalanceEstimator({
      inKeyA: 'x',
      inKeyB: 'y',
      outKeyAToB: 'ab',
      outKeyBToA: 'ba',
    });
    using data = new TensorDict({ x: gaussianPoints([64, 5], 50), y: gaussianPoints([64, 3], 51) });
    using result = estimator.run(data);
    expect(Number.isFinite(scalar(result.getTensor('ab')))).toBe(true);
    expect(Number.isFinite(scalar(result.getTensor('ba')))).toBe(true);
    const x = data.getTensor('x');
    const same = informationImbalance(x, x);
    expect(scalar(same.aToB)).toBe(Math.fround(2 / 64));
    expect(scalar(same.bToA)).toBe(Math.fround(2 / 64));
    tf.dispose([same.aToB, same.bToA]);
  });

  it('exact against a float64 brute force with ties, far from the origin, whether the kept candidates settle the last pass or not (N = 2,100: the recomputed rows span two blocks)', () => {
    const n = 2100;
    const next = normalSource(142);
    // Integer grid points 1000 away from the origin: many tied distances, and the expansion's error is large.
    const gridA = Array.from({ length: n }, () => [0, 1, 2].map(() => 1000 + Math.round(next() * 6)));
    const related = gridA.map((row) => row.map((value) => value + Math.round(next() * 0.6)));
    const independent = Array.from({ length: n }, () => [0, 1].map(() => 1000 + Math.round(next() * 6)));
    const bruteForce = (xs: number[][], ys: number[][]): number => {
      const nearest = (rows: number[][], i: number): number => {
        let best = -1;
        let bestDistance = Infinity;
        rows.forEach((row, l) => {
          const distance = l === i ? Infinity : squared(rows, i, l);
          if (distance < bestDistance) [best, bestDistance] = [l, distance];
        });
        return best;
      };
      const squared = (rows: number[][], i: number, l: number): number =>
        must(rows[i]).reduce((sum, value, k) => sum + (value - must(must(rows[l])[k])) ** 2, 0);
      let total = 0;
      for (let i = 0; i < n; i += 1) {
        const j = nearest(xs, i);
        const t = squared(ys, i, j);
        let rank = 1;
        for (let l = 0; l < n; l += 1) {
          if (l === i || l === j) continue;
          const distance = squared(ys, i, l);
          if (distance < t || (distance === t && l < j)) rank += 1;
        }
        total += rank;
      }
      return Math.fround((2 / n) * (total / n));
    };
    for (const other of [related, independent]) {
      const a = tf.tensor2d(gridA);
      const b = tf.tensor2d(other);
      const out = informationImbalance(a, b);
      try {
        expect(scalar(out.aToB)).toBe(bruteForce(gridA, other));
        expect(scalar(out.bToA)).toBe(bruteForce(other, gridA));
      } finally {
        tf.dispose([a, b, out.aToB, out.bToA]);
      }
    }
  }, 240_000); // float64 brute force over 2,100² pairs: ~36 s on the cpu backend while CI runs every package at once

  it('scenario 142: x = t vs a quantised y: B→A > A→B (the finer space predicts the coarser one)', () => {
    const t = Array.from({ length: 80 }, (_, i) => Math.sin(i * 1.7) * 10 + i * 0.01);
    const a = tf.tensor2d(t.map((v) => [v]));
    const b = tf.tensor2d(t.map((v) => [Math.round(v / 4) * 4 + 1e-3 * Math.cos(v)]));
    const out = informationImbalance(a, b);
    try {
      expect(scalar(out.bToA)).toBeGreaterThan(scalar(out.aToB));
    } finally {
      tf.dispose([a, b, out.aToB, out.bToA]);
    }
  });

  it('scenario 142: batch shapes work; empty batch; validation; N = 1 raises "at least 2 samples"; integers give float32; deterministic; description shows p=2', () => {
    const a = gaussianPoints([2, 3, 20, 4], 52);
    const b = gaussianPoints([2, 3, 20, 6], 53);
    const out = informationImbalance(a, b);
    const again = informationImbalance(a, b);
    const emptyA = tf.zeros([2, 0, 10, 8]);
    const emptyB = tf.zeros([2, 0, 10, 6]);
    const wrongBatch = tf.zeros([2, 4, 20, 6]);
    const empty = informationImbalance(emptyA, emptyB);
    const ints = tf.tensor2d([[0], [1], [3], [7], [12]], [5, 1], 'int32');
    const fromInts = informationImbalance(ints, ints);
    const one = tf.zeros([1, 4]);
    try {
      expect(out.aToB.shape).toEqual([2, 3]);
      expect(Array.from(out.aToB.dataSync())).toEqual(Array.from(again.aToB.dataSync()));
      expect(empty.aToB.shape).toEqual([2, 0]);
      expect(fromInts.aToB.dtype).toBe('float32');
      expect(() => informationImbalance(one, one)).toThrowTdhookError(
        'E_SHAPE_MISMATCH',
        'at least 2 samples',
      );
      expect(() => informationImbalance(a, wrongBatch)).toThrowTdhookError(
        'E_SHAPE_MISMATCH',
        'matching batch shapes',
      );
      expect(() => informationImbalanceEstimator({ p: 0 })).toThrowTdhookError(
        'E_INVALID_VALUE',
        'p must be',
      );
    } finally {
      tf.dispose([
        a,
        b,
        out.aToB,
        out.bToA,
        again.aToB,
        again.bToA,
        empty.aToB,
        empty.bToA,
        ints,
        fromInts.aToB,
        fromInts.bToA,
        one,
        emptyA,
        emptyB,
        wrongBatch,
      ]);
    }
    expect(String(informationImbalanceEstimator())).toBe(
      'informationImbalanceEstimator(inKeyA="data_a", inKeyB="data_b", outKeyAToB="information_imbalance_a_to_b", outKeyBToA="information_imbalance_b_to_a", p=2)',
    );
  });
});

describe('similarity operators', () => {
  it('scenario 143: CKA and imbalance accept nested in/out keys and compose sequentially on one TensorDict, also in a Workflow', () => {
    const similarity = ckaEstimator({
      inKeyA: ['representations', 'a'],
      inKeyB: ['representations', 'b'],
      outKey: ['metrics', 'cka'],
    });
    const imbalance = informationImbalanceEstimator({
      inKeyA: ['representations', 'a'],
      inKeyB: ['representations', 'b'],
      outKeyAToB: ['metrics', 'a_to_b'],
      outKeyBToA: ['metrics', 'b_to_a'],
    });
    using data = new TensorDict({
      input: tf.zeros([1]),
      representations: { a: gaussianPoints([30, 5], 54), b: gaussianPoints([30, 7], 55) },
    });
    {
      using first = similarity.run(data);
      data.update(first);
    }
    {
      using second = imbalance.run(data);
      data.update(second);
    }
    expect(data.getTensor(['metrics', 'cka']).shape).toEqual([]);
    expect(data.getTensor(['metrics', 'a_to_b']).shape).toEqual([]);

    const model = new Lambda('identity', (x: tf.Tensor) => tf.clone(x));
    using fresh = data.exclude('metrics');
    const { data: result } = new Workflow([similarity, imbalance]).run(model, fresh);
    try {
      expect(scalar(result.getTensor(['metrics', 'cka']))).toBe(scalar(data.getTensor(['metrics', 'cka'])));
      expect(scalar(result.getTensor(['metrics', 'b_to_a']))).toBe(
        scalar(data.getTensor(['metrics', 'b_to_a'])),
      );
    } finally {
      result.dispose();
      model.dispose();
    }
  });
});
