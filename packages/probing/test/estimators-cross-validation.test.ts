// kFoldSplits (vs scikit-learn's KFold, and seeded shuffles) and crossValidate (k-fold and explicit folds,
// metrics that need the fitted estimator, clean-up when a metric throws).
import { readFileSync } from 'node:fs';

import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import type {} from '@tdhook/testing/vitest';

import {
  accuracy,
  crossValidate,
  kFoldSplits,
  logisticRegression,
  r2Score,
  ridgeRegression,
  rocAuc,
  type Classifier,
} from '../src/index.js';
import { defined } from './conformance-probing-fixture.js';

const kfold = (
  JSON.parse(readFileSync(new URL('fixtures/metrics.json', import.meta.url), 'utf8')) as {
    kfold: { n: number; folds: number; test_folds: number[][] }[];
  }
).kfold;

function dataset(n: number, seed: number): { x: tf.Tensor2D; y: tf.Tensor1D } {
  return tf.tidy(() => {
    const x = tf.randomNormal<tf.Rank.R2>([n, 4], 0, 1, 'float32', seed);
    const score = tf.sum(tf.mul(x, tf.tensor1d([1, -1, 0.5, 0])), 1);
    return { x, y: tf.cast(tf.greater(score, 0), 'int32') as tf.Tensor1D };
  });
}

describe('kFoldSplits', () => {
  for (const item of kfold) {
    it(`n=${item.n}, folds=${item.folds}: the test folds of scikit-learn's KFold, training rows the rest`, () => {
      const splits = kFoldSplits(item.n, { folds: item.folds });
      expect(splits.map((split) => split.test)).toEqual(item.test_folds);
      for (const split of splits) {
        expect([...split.train, ...split.test].sort((a, b) => a - b)).toEqual(
          Array.from({ length: item.n }, (_, i) => i),
        );
      }
    });
  }

  it('shuffle: seeded (same seed, same folds; another seed, other folds), still a partition with KFold sizes', () => {
    const first = kFoldSplits(23, { folds: 5, shuffle: true, seed: 42 });
    expect(kFoldSplits(23, { folds: 5, shuffle: true, seed: 42 })).toEqual(first);
    expect(kFoldSplits(23, { folds: 5, shuffle: true, seed: 43 })).not.toEqual(first);
    expect(first.map((split) => split.test.length)).toEqual([5, 5, 5, 4, 4]);
    expect(first.flatMap((split) => split.test).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 23 }, (_, i) => i),
    );
    expect(first.map((split) => split.test)).not.toEqual(kFoldSplits(23).map((split) => split.test));
  });

  it('errors: fewer than 2 folds, more folds than rows, a negative n', () => {
    expect(() => kFoldSplits(10, { folds: 1 })).toThrowTdhookError('E_INVALID_VALUE', 'folds=1');
    expect(() => kFoldSplits(3, { folds: 5 })).toThrowTdhookError('E_INVALID_VALUE', 'n_samples=3');
    expect(() => kFoldSplits(-1)).toThrowTdhookError('E_INVALID_VALUE', 'non-negative integer');
  });
});

describe('crossValidate', () => {
  it('seeded shuffled k-fold: per-fold and mean metrics, reproducible; AUC from the fitted estimator', () => {
    const { x, y } = dataset(120, 5);
    const options = {
      folds: 4,
      shuffle: true,
      seed: 9,
      metrics: {
        accuracy,
        auc: (_predicted: tf.Tensor, truth: tf.Tensor, fold: { estimator: unknown; x: tf.Tensor }) => {
          const scores = (fold.estimator as Classifier).decisionFunction(fold.x);
          try {
            return rocAuc(scores, truth);
          } finally {
            scores.dispose();
          }
        },
      },
    };
    const first = crossValidate(() => logisticRegression(), x, y, options);
    const again = crossValidate(() => logisticRegression(), x, y, options);
    expect(again).toEqual(first);
    expect(first.folds).toHaveLength(4);
    expect(first.folds.map((fold) => fold.test.length)).toEqual([30, 30, 30, 30]);
    for (const fold of first.folds) {
      expect(defined(fold.metrics.accuracy)).toBeGreaterThan(0.8);
      expect(defined(fold.metrics.auc)).toBeGreaterThanOrEqual(defined(fold.metrics.accuracy) - 0.2);
    }
    const mean = first.folds.reduce((sum, fold) => sum + defined(fold.metrics.accuracy), 0) / 4;
    expect(first.mean.accuracy).toBeCloseTo(mean, 15);
    tf.dispose([x, y]);
  });

  it('explicit test folds (need not cover every row); regression with R²', () => {
    const { x, y } = dataset(40, 2);
    const target = tf.tidy(() => tf.sum(tf.mul(x, tf.tensor1d([2, 0, -1, 0.5])), 1));
    const result = crossValidate(() => ridgeRegression({ alpha: 1e-3 }), x, target, {
      folds: [
        [0, 1, 2, 3, 4],
        [10, 20, 30],
      ],
      metrics: { r2: r2Score },
    });
    expect(result.folds.map((fold) => fold.test)).toEqual([
      [0, 1, 2, 3, 4],
      [10, 20, 30],
    ]);
    expect(defined(result.folds[1]).train).toHaveLength(37);
    expect(result.mean.r2).toBeGreaterThan(0.999);
    tf.dispose([x, y, target]);
  });

  it('errors: overlapping, out-of-range or empty folds, no metrics, row mismatch; a throwing metric leaks nothing', () => {
    const { x, y } = dataset(20, 1);
    const factory = () => logisticRegression();
    const metrics = { accuracy };
    expect(() =>
      crossValidate(factory, x, y, {
        folds: [
          [0, 1],
          [1, 2],
        ],
        metrics,
      }),
    ).toThrowTdhookError('E_INVALID_VALUE', 'Row 1 is in more than one test fold');
    expect(() => crossValidate(factory, x, y, { folds: [[0, 20]], metrics })).toThrowTdhookError(
      'E_INVALID_VALUE',
      'not a row index',
    );
    expect(() => crossValidate(factory, x, y, { folds: [[]], metrics })).toThrowTdhookError(
      'E_INVALID_VALUE',
      'empty',
    );
    expect(() => crossValidate(factory, x, y, { metrics: {} })).toThrowTdhookError(
      'E_INVALID_VALUE',
      'No metrics',
    );
    const short = tf.slice(y, [0], [10]);
    expect(() => crossValidate(factory, x, short, { metrics })).toThrowTdhookError(
      'E_SHAPE_MISMATCH',
      'x has 20 samples but y has 10',
    );
    expect(() =>
      crossValidate(factory, x, y, {
        metrics: {
          broken: () => {
            throw new Error('metric failed');
          },
        },
      }),
    ).toThrow('metric failed');
    tf.dispose([x, y, short]);
  });
});
