// The metrics against scikit-learn 1.2.1 (fixtures/metrics.json, see fixtures/README.md), plus their errors.
import { readFileSync } from 'node:fs';

import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import type {} from '@tdhook/testing/vitest';

import { accuracy, balancedAccuracy, f1Score, meanSquaredError, r2Score, rocAuc } from '../src/index.js';

interface Fixture {
  readonly classification: readonly {
    id: string;
    predicted: number[];
    truth: number[];
    accuracy: number;
    balanced_accuracy: number;
    f1_macro: number;
    f1_binary_pos1?: number;
  }[];
  readonly roc_auc: readonly { id: string; scores: number[]; truth: number[]; roc_auc: number }[];
  readonly regression: readonly {
    id: string;
    predicted: number[] | number[][];
    truth: number[] | number[][];
    r2: number;
    mse: number;
  }[];
}

const fixture = JSON.parse(
  readFileSync(new URL('fixtures/metrics.json', import.meta.url), 'utf8'),
) as Fixture;

describe('classification metrics vs scikit-learn 1.2.1', () => {
  for (const item of fixture.classification) {
    it(`${item.id}: accuracy, balanced accuracy, F1 (macro${item.f1_binary_pos1 === undefined ? '' : ', binary'})`, () => {
      expect(accuracy(item.predicted, item.truth)).toBeCloseTo(item.accuracy, 14);
      expect(balancedAccuracy(item.predicted, item.truth)).toBeCloseTo(item.balanced_accuracy, 14);
      expect(f1Score(item.predicted, item.truth, { average: 'macro' })).toBeCloseTo(item.f1_macro, 14);
      if (item.f1_binary_pos1 !== undefined) {
        expect(f1Score(item.predicted, item.truth)).toBeCloseTo(item.f1_binary_pos1, 14);
      }
    });
  }

  it('reads tensors (int32, bool) as well as arrays', () => {
    const predicted = tf.tensor1d([1, 0, 1, 1], 'bool');
    const truth = tf.tensor1d([1, 0, 0, 1], 'int32');
    expect(accuracy(predicted, truth)).toBe(0.75);
    expect(accuracy([true, false, true, true], [1, 0, 0, 1])).toBe(0.75);
    tf.dispose([predicted, truth]);
  });

  it('errors: shape mismatch, empty input, 2-D labels, multiclass binary F1, absent positive label', () => {
    expect(() => accuracy([1, 0], [1])).toThrowTdhookError('E_SHAPE_MISMATCH', 'predicted has shape [2]');
    expect(() => accuracy([], [])).toThrowTdhookError('E_INVALID_VALUE', 'empty');
    // computeMetrics's `labels!` on a batch without labels: a typed error, not a TypeError.
    expect(() => accuracy([1, 0], undefined as never)).toThrowTdhookError(
      'E_INVALID_VALUE',
      'Expected a tensor or an array of numbers, got undefined',
    );
    const oneHot = tf.tensor2d([
      [1, 0],
      [0, 1],
    ]);
    expect(() => accuracy(oneHot, oneHot)).toThrowTdhookError('E_SHAPE_MISMATCH', '1-D labels');
    oneHot.dispose();
    expect(() => f1Score([0, 1, 2], [0, 1, 2])).toThrowTdhookError('E_INVALID_VALUE', "average='binary'");
    expect(() => f1Score([2, 3], [3, 2])).toThrowTdhookError(
      'E_INVALID_VALUE',
      'pos_label=1 is not a valid label',
    );
    expect(() => f1Score([0, 1], [0, 1], { average: 'micro' as 'macro' })).toThrowTdhookError(
      'E_INVALID_VALUE',
      "Unknown average 'micro'",
    );
  });
});

describe('rocAuc vs scikit-learn 1.2.1 (ties count one half)', () => {
  for (const item of fixture.roc_auc) {
    it(item.id, () => {
      expect(rocAuc(item.scores, item.truth)).toBeCloseTo(item.roc_auc, 14);
    });
  }

  it('takes decision values from a tensor', () => {
    const scores = tf.tensor1d([-2, 0.5, -0.5, 3]);
    expect(rocAuc(scores, [0, 0, 1, 1])).toBe(0.75);
    scores.dispose();
  });

  it('errors: one class ("Only one class present in y_true"), three classes, NaN scores', () => {
    expect(() => rocAuc([0.1, 0.2], [1, 1])).toThrowTdhookError(
      'E_INVALID_VALUE',
      'Only one class present in y_true',
    );
    expect(() => rocAuc([0.1, 0.2, 0.3], [0, 1, 2])).toThrowTdhookError('E_INVALID_VALUE', '3 classes');
    expect(() => rocAuc([Number.NaN, 0.2], [0, 1])).toThrowTdhookError('E_INVALID_VALUE', 'NaN');
  });
});

describe('regression metrics vs scikit-learn 1.2.1', () => {
  for (const item of fixture.regression) {
    it(`${item.id}: R² and MSE`, () => {
      const predicted = tf.tensor(item.predicted);
      const truth = tf.tensor(item.truth);
      expect(r2Score(predicted, truth)).toBeCloseTo(item.r2, 12);
      expect(meanSquaredError(predicted, truth)).toBeCloseTo(item.mse, 12);
      tf.dispose([predicted, truth]);
    });
  }

  it('R² of one sample is NaN (not well defined), as scikit-learn', () => {
    expect(r2Score([1], [2])).toBeNaN();
  });
});
