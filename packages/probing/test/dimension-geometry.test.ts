import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

import { medianSquaredDistance } from '../src/geometry/median-squared-distance.js';
import { nearestValidNeighbours } from '../src/geometry/nearest-neighbours.js';
import { nearestAndRanks, ranksOf } from '../src/geometry/neighbour-ranks.js';
import { checkNeighbourCount, resolveNeighbourCount } from '../src/geometry/neighbour-count.js';
import { informationImbalance, twoNn } from '../src/index.js';
import { normalSource, must } from './dimension-sample-data.js';

function randomRows(n: number, d: number, seed: number, scale = 1, shift = 0): Float32Array {
  const next = normalSource(seed);
  return Float32Array.from({ length: n * d }, () => shift + scale * next());
}

/** Brute force: every distance in float64, the eps rule, a stable ascending sort. */
function bruteNeighbours(
  rows: Float32Array,
  n: number,
  d: number,
  m: number,
  eps: number,
  only?: readonly number[],
): { index: number[]; distance: number[] }[] {
  const wanted = only === undefined ? undefined : new Set(only);
  return Array.from({ length: n }, (_, i) => {
    if (wanted !== undefined && !wanted.has(i)) return { index: [], distance: [] };
    const all: { j: number; distance: number }[] = [];
    for (let j = 0; j < n; j += 1) {
      if (j === i) continue;
      let sum = 0;
      for (let k = 0; k < d; k += 1) sum += ((rows[i * d + k] as number) - (rows[j * d + k] as number)) ** 2;
      const distance = Math.sqrt(sum);
      if (distance > eps) all.push({ j, distance });
    }
    all.sort((a, b) => a.distance - b.distance || a.j - b.j);
    const kept = all.slice(0, m);
    return { index: kept.map((c) => c.j), distance: kept.map((c) => c.distance) };
  });
}

function expectSameNeighbours(
  rows: Float32Array,
  n: number,
  d: number,
  m: number,
  eps: number,
  only?: number[],
): void {
  const table = nearestValidNeighbours(rows, n, d, m, eps);
  const brute = bruteNeighbours(rows, n, d, m, eps, only);
  for (const i of only ?? Array.from({ length: n }, (_, index) => index)) {
    const want = must(brute[i]);
    for (let r = 0; r < m; r += 1) {
      const distance = must(table.distance[i * m + r]);
      if (r >= want.distance.length) {
        expect(distance).toBe(Infinity);
        expect(table.index[i * m + r]).toBe(-1);
      } else {
        // Ties (identical rows) may pick either copy; the distance is what every estimator reads.
        expect(distance, `point ${i}, neighbour ${r}`).toBe(want.distance[r]);
      }
    }
  }
}

describe('exact neighbours with the eps rule', () => {
  it('points with mean 10 and spread 0.01: the uncentred float32 expansion gets many of 200 nearest neighbours wrong (98 on cpu, 156 on wasm, at D = 64); centring, candidates and exact recomputation give every one right', () => {
    const n = 200;
    const d = 64;
    const rows = randomRows(n, d, 31, 0.01, 10);
    const brute = bruteNeighbours(rows, n, d, 1, 1e-5);
    // The naive route: ‖x‖² + ‖y‖² − 2x·y in float32 on the raw (uncentred) rows.
    const naive = tf.tidy(() => {
      const x = tf.tensor2d(rows, [n, d]);
      const norms = tf.sum(tf.square(x), 1);
      const squared = tf.sub(
        tf.add(tf.reshape(norms, [n, 1]), tf.reshape(norms, [1, n])),
        tf.mul(2, tf.matMul(x, x, false, true)),
      );
      return tf.argMin(tf.add(squared, tf.mul(tf.eye(n), 1e9)), 1);
    });
    const naiveNearest = Array.from(naive.dataSync());
    naive.dispose();
    const wrong = naiveNearest.filter((j, i) => j !== must(brute[i]).index[0]).length;
    console.log(
      `float32 expansion, uncentred (${tf.getBackend()}): ${wrong} of ${n} nearest neighbours wrong`,
    );
    expect(wrong).toBeGreaterThan(n / 4);
    const table = nearestValidNeighbours(rows, n, d, 1, 1e-5);
    expect(Array.from(table.index)).toEqual(brute.map((b) => b.index[0]));
    expectSameNeighbours(rows, n, d, 4, 1e-5);
  });

  it('self and every distance ≤ eps are never neighbours; eps = -Infinity keeps duplicates; the rule is not transitive', () => {
    // A centre, two points 8e-6 from it on opposite sides (1.6e-5 apart), and a far point.
    const rows = Float32Array.from([0, 0, 0, 8e-6, 0, 0, -8e-6, 0, 0, 1, 1, 1]);
    const table = nearestValidNeighbours(rows, 4, 3, 3, 1e-5);
    expect(Array.from(table.index.subarray(0, 3))).toEqual([3, -1, -1]);
    expect(table.index[3]).toBe(2); // 1 sees 2 (1.6e-5 > eps) but not the centre
    const withDuplicates = nearestValidNeighbours(rows, 4, 3, 3, -Infinity);
    expect(withDuplicates.index[0]).toBe(1);
    expectSameNeighbours(rows, 4, 3, 3, 1e-5);
  });

  it('many exact copies push the valid neighbours far down the candidate list: the candidate set grows until it is proven complete', () => {
    const base = randomRows(12, 5, 32);
    const n = 12 * 25;
    const rows = new Float32Array(n * 5);
    for (let i = 0; i < n; i += 1) rows.set(base.subarray((i % 12) * 5, (i % 12) * 5 + 5), i * 5);
    expectSameNeighbours(rows, n, 5, 3, 1e-5);
  });

  it('exact across row blocks (N = 2,100 spans two blocks of the N×N matrix)', () => {
    const n = 2100;
    const rows = randomRows(n, 3, 33);
    expectSameNeighbours(rows, n, 3, 2, 1e-5, [
      0,
      1,
      1996,
      1997,
      1998,
      2099,
      ...Array.from({ length: 40 }, (_, i) => 37 * i + 5),
    ]);
  });

  it("k 'auto' = max(2, min(⌊√N⌋, ⌊(N−1)/2⌋)); k must be an integer (or 'auto') of at least the estimator's minimum", () => {
    expect([3, 4, 5, 9, 24, 300, 400, 500, 10_000].map((n) => resolveNeighbourCount('auto', n))).toEqual([
      2, 2, 2, 3, 4, 17, 20, 22, 100,
    ]);
    expect(resolveNeighbourCount(7, 100)).toBe(7);
    expect(() => checkNeighbourCount('five', 2, 'test')).toThrowTdhookError(
      'E_INVALID_VALUE',
      "k must be an int or 'auto'",
    );
    expect(() => checkNeighbourCount(Number.NaN, 1, 'test')).toThrowTdhookError(
      'E_INVALID_VALUE',
      "k must be an int or 'auto'",
    );
  });

  it('ranks are exact, ties by index, for p = 2 (expansion + recomputation) and p ≠ 2 (direct)', () => {
    const n = 60;
    const rowsA = randomRows(n, 4, 34);
    const rowsB = randomRows(n, 3, 35, 0.001, 50);
    for (const p of [2, 1, 3, Infinity]) {
      const { nearest } = nearestAndRanks(rowsA, n, 4, p);
      const ranks = ranksOf(rowsB, n, 3, nearest, p);
      const combined = nearestAndRanks(rowsB, n, 3, p, nearest).ranks;
      expect(Array.from(combined)).toEqual(Array.from(ranks));
      const power = (rows: Float32Array, d: number, i: number, j: number): number => {
        let sum = 0;
        for (let k = 0; k < d; k += 1) {
          const t = Math.abs((rows[i * d + k] as number) - (rows[j * d + k] as number));
          sum = p === Infinity ? Math.max(sum, t) : sum + t ** p;
        }
        return sum;
      };
      for (let i = 0; i < n; i += 1) {
        const order = Array.from({ length: n }, (_, j) => j)
          .filter((j) => j !== i)
          .sort((x, y) => power(rowsA, 4, i, x) - power(rowsA, 4, i, y) || x - y);
        expect(nearest[i]).toBe(order[0]);
        const orderB = Array.from({ length: n }, (_, j) => j)
          .filter((j) => j !== i)
          .sort((x, y) => power(rowsB, 3, i, x) - power(rowsB, 3, i, y) || x - y);
        expect(ranks[i], `p=${p} row ${i}`).toBe(orderB.indexOf(must(nearest[i])) + 1);
      }
    }
  });

  it('information imbalance with p = 1 runs the direct route and gives 2/N for identical spaces', () => {
    const a = tf.tensor2d(randomRows(30, 4, 36), [30, 4]);
    const out = informationImbalance(a, a, { p: 1 });
    expect(out.aToB.dataSync()[0]).toBeCloseTo(2 / 30, 7);
    tf.dispose([a, out.aToB, out.bToA]);
  });

  it('the RBF median is np.median of all N² squared distances, diagonal zeros included (odd and even N²)', () => {
    for (const n of [7, 8]) {
      const rows = randomRows(n, 3, 37 + n);
      const all: number[] = [];
      for (let i = 0; i < n; i += 1) {
        for (let j = 0; j < n; j += 1) {
          let sum = 0;
          for (let k = 0; k < 3; k += 1)
            sum += ((rows[i * 3 + k] as number) - (rows[j * 3 + k] as number)) ** 2;
          all.push(sum);
        }
      }
      all.sort((x, y) => x - y);
      const expected =
        n % 2 === 1 ? must(all[(n * n - 1) / 2]) : (must(all[(n * n) / 2 - 1]) + must(all[(n * n) / 2])) / 2;
      expect(Math.abs(medianSquaredDistance(rows, n, 3) - expected) / expected).toBeLessThan(1e-5);
    }
  });

  it('TwoNN of a regular simplex is 0 (x ≡ 0: the minimum-norm least-squares solution), not NaN', () => {
    const simplex = tf.eye(7);
    const out = twoNn(simplex, { returnXY: true });
    expect(out.dimension.dataSync()[0]).toBe(0);
    expect(Array.from(must(out.x).dataSync()).slice(0, 6)).toEqual([0, 0, 0, 0, 0, 0]);
    tf.dispose([simplex, out.dimension, must(out.x), must(out.y)]);
  });
});
