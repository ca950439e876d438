// pearson and spearman against scipy. The expected numbers were computed once with Debian's python3-scipy
// (scipy 1.17.1, numpy 2.4.6) and pasted here:
//   python3 -c 'import scipy.stats as st; r = st.pearsonr(x, y)[0], st.spearmanr(x, y)[0]; print(repr(r))'
// for each (x, y) below; the 40-pair case is numpy.random.default_rng(15): x = normal(40).round(1),
// y = (0.6·x + 0.8·normal(40)).round(1), so it has many ties (26 and 25 distinct values).
import { describe, expect, it } from 'vitest';
import type {} from '@tdhook/testing/vitest';

import { pearson, spearman } from '../src/index.js';

const cases: readonly {
  name: string;
  x: readonly number[];
  y: readonly number[];
  pearson: number;
  spearman: number;
}[] = [
  { name: 'four points', x: [1, 2, 3, 4], y: [2, 4, 5, 9], pearson: 0.9647638212377322, spearman: 1 },
  {
    name: 'ties in x (average ranks)',
    x: [1, 2, 2, 3, 3, 3, 7, 0.5],
    y: [3, 1, 4, 1, 5, 9, 2, 6],
    pearson: -0.21811574643543455,
    spearman: -0.17906693925932363,
  },
  {
    name: 'a decreasing relation',
    x: [0.1, -0.4, 2.5, 3.3, -1.0, 0.0],
    y: [-1.2, 0.3, -2.0, -4.1, 1.5, 0.2],
    pearson: -0.9440574917881766,
    spearman: -1,
  },
  {
    name: 'monotone but not linear',
    x: [1, 2, 3, 4, 5],
    y: [1, 4, 9, 16, 25],
    pearson: 0.981104910251593,
    spearman: 0.9999999999999999,
  },
  {
    name: 'a large offset (centred sums keep the digits)',
    x: [1e8 + 1, 1e8 + 2, 1e8 + 3, 1e8 + 5],
    y: [3, 1, 4, 1],
    pearson: -0.3578300267477955,
    spearman: -0.21081851067789195,
  },
  {
    name: '40 noisy pairs with many ties',
    x: [
      -1.4, -0.9, 0.4, -0.5, 0.5, 0.8, -1.4, 1.0, -0.6, 2.1, 0.7, -0.5, 0.2, 0.2, 0.3, 1.4, 0.5, 1.7, 0.6,
      -0.2, -1.5, -1.6, 0.2, 0.7, 1.4, -0.6, 0.1, -0.8, -0.4, -2.3, 0.7, -0.7, -0.1, 0.4, 0.3, -1.3, 1.5, 0.8,
      0.5, -0.7,
    ],
    y: [
      -2.1, -1.8, 0.1, -0.2, -0.3, 1.9, -0.6, 1.4, 0.4, 0.4, 1.2, 0.1, -0.9, 0.7, 1.0, 1.6, 1.1, -0.1, 0.2,
      -0.6, -0.9, -0.9, 1.0, 1.0, 0.2, 0.4, 1.4, -0.2, -1.4, -1.9, 0.3, -1.7, -0.2, -0.8, 0.8, -0.2, 0.8,
      -0.5, 0.5, -0.9,
    ],
    pearson: 0.6413491534628878,
    spearman: 0.6417925682996889,
  },
];

describe('pearson and spearman match scipy (float64, |error| ≤ 1e-12)', () => {
  for (const c of cases) {
    it(c.name, () => {
      expect(Math.abs(pearson(c.x, c.y) - c.pearson)).toBeLessThanOrEqual(1e-12);
      expect(Math.abs(spearman(c.x, c.y) - c.spearman)).toBeLessThanOrEqual(1e-12);
      // Symmetric, and typed arrays work as plain ones.
      expect(Math.abs(pearson(Float32Array.from(c.y), c.x) - c.pearson)).toBeLessThanOrEqual(1e-6);
      expect(spearman(c.y, c.x)).toBe(spearman(c.x, c.y));
    });
  }

  it('a constant array has no correlation (NaN, as scipy)', () => {
    expect(pearson([1, 1, 1], [1, 2, 3])).toBeNaN();
    expect(spearman([1, 2, 3], [5, 5, 5])).toBeNaN();
  });

  it('refuses different lengths, fewer than two pairs and non-finite values with typed errors', () => {
    expect(() => pearson([1, 2], [1, 2, 3])).toThrowTdhookError(
      'E_SHAPE_MISMATCH',
      /x has 2 values and y has 3/,
    );
    expect(() => spearman([1], [1])).toThrowTdhookError('E_INVALID_VALUE', /at least 2 pairs/);
    expect(() => pearson([1, Number.NaN], [1, 2])).toThrowTdhookError('E_INVALID_VALUE', /Pair 1/);
  });
});
