// The estimators against probing.json (numpy float64 and scikit-learn 1.2.1, see its README): every result
// item and error case, each with its tolerance and measured max error. The table is printed and written to
// .test-results/probing-conformance.<backend>.md; docs/estimators.md holds it.
//
// Tolerances: float64 parameters (mean-difference coef/intercept, regression coef/intercept, logistic
// regression vs the exact `optimum`) are held to 1e-12 … 1e-8 absolute; values that leave as float32 tensors
// (decisions, probabilities, predictions) to float32 rounding (rel 1e-6, abs 1e-7); logistic regression vs
// scikit-learn's own coef_ (which stops 7e-5 … 4.6e-4 short of the optimum) to the README's 1e-3.
import { mkdirSync, writeFileSync } from 'node:fs';

import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, inject, it } from 'vitest';
import type {} from '@tdhook/testing/vitest';

import {
  accuracy,
  crossValidate,
  linearRegression,
  logisticRegression,
  meanDifferenceClassifier,
  r2Score,
  ridgeRegression,
  type Classifier,
  type LinearModel,
} from '../src/index.js';
import {
  defined,
  flat,
  markdownTable,
  maxError,
  mismatches,
  probingReference,
  result,
  rowsTensor,
  vectorTensor,
  type ArraySpec,
  type ConformanceRow,
} from './conformance-probing-fixture.js';

const rows: ConformanceRow[] = [];

function check(
  item: string,
  kind: ConformanceRow['kind'],
  tolerance: number,
  actual: ArrayLike<number> | tf.Tensor,
  expected: ArrayLike<number> | ArraySpec | number,
): void {
  const values = actual instanceof tf.Tensor ? Array.from(actual.dataSync() as ArrayLike<number>) : actual;
  const reference =
    typeof expected === 'number' ? [expected] : 'shape' in expected ? flat(expected.data) : expected;
  const error = kind === 'exact' ? mismatches(values, reference) : maxError(values, reference, kind);
  rows.push({ item, kind, tolerance, error });
  expect(error, item).toBeLessThanOrEqual(kind === 'exact' ? 0 : tolerance);
}

/** Runs `fn` on tensors it creates, then disposes them. */
function using<T>(tensors: tf.Tensor[], fn: () => T): T {
  try {
    return fn();
  } finally {
    tf.dispose(tensors);
  }
}

function measure(classifier: Classifier, x: tf.Tensor, y: tf.Tensor): number {
  const predicted = classifier.predict(x);
  try {
    return accuracy(predicted, y);
  } finally {
    predicted.dispose();
  }
}

// Decision values x·coefᵀ + intercept in float64, for expected values from the `optimum` block.
function decisions(
  x: ArraySpec,
  indices: readonly number[],
  coef: number[][],
  intercept: number[],
): number[] {
  const data = x.data as number[][];
  const out: number[] = [];
  for (const i of indices) {
    const row = defined(data[i]).map((value) => Math.fround(value));
    coef.forEach((weights, k) => {
      out.push(row.reduce((sum, value, j) => sum + value * defined(weights[j]), defined(intercept[k])));
    });
  }
  return out;
}

function nested(spec: ArraySpec): number[][] {
  const values = flat(spec.data);
  const columns = defined(spec.shape.at(-1));
  const rowsOf = values.length / columns;
  return Array.from({ length: rowsOf }, (_, r) => values.slice(r * columns, (r + 1) * columns));
}

// scikit-learn's intercepts, centred when multinomial (the objective is flat along a common shift).
function sklearnIntercept(spec: ArraySpec): number[] {
  const values = flat(spec.data);
  if (values.length === 1) return values;
  const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
  return values.map((value) => value - mean);
}

// The logistic objective Σ log-loss + ‖W‖²/2 (C = 1) in float64 on the rows `indices`.
function objective(
  data: { x: ArraySpec; y: ArraySpec },
  indices: readonly number[],
  coef: readonly (readonly number[])[],
  intercept: readonly number[],
): number {
  const labels = flat(data.y.data);
  const scores = decisions(
    data.x,
    indices,
    coef.map((row) => [...row]),
    [...intercept],
  );
  let value = 0;
  indices.forEach((i, r) => {
    if (coef.length === 1) {
      const s = defined(scores[r]);
      value += Math.log1p(Math.exp(-Math.abs(s))) + Math.max(s, 0) - defined(labels[i]) * s;
      return;
    }
    const row = scores.slice(r * coef.length, (r + 1) * coef.length);
    const max = Math.max(...row);
    value +=
      max + Math.log(row.reduce((sum, s) => sum + Math.exp(s - max), 0)) - defined(row[defined(labels[i])]);
  });
  for (const row of coef) for (const w of row) value += (w * w) / 2;
  return value;
}

describe('probing.json conformance: mean difference', () => {
  const { binary } = probingReference().datasets;
  for (const normalize of [true, false]) {
    const id = `mean_difference/binary/normalize=${normalize}`;
    it(`${id}: coef, intercept, decisions, predictions, probabilities, accuracies`, () => {
      const expected = result(id);
      const x = rowsTensor(binary.x, binary.train_idx);
      const y = vectorTensor(binary.y, binary.train_idx);
      const xTest = rowsTensor(binary.x, binary.test_idx);
      const yTest = vectorTensor(binary.y, binary.test_idx);
      const classifier = meanDifferenceClassifier({ normalize });
      using([x, y, xTest, yTest], () => {
        classifier.fit(x, y);
        check(`${id} coef`, 'abs', 1e-12, classifier.coef.flat(), expected.coef as ArraySpec);
        check(`${id} intercept`, 'abs', 1e-12, classifier.intercept, expected.intercept as ArraySpec);
        const decision = classifier.decisionFunction(xTest);
        const predicted = classifier.predict(xTest);
        const probabilities = classifier.predictProba(xTest);
        using([decision, predicted, probabilities], () => {
          expect(predicted.dtype).toBe('bool');
          check(`${id} decision_test`, 'rel', 1e-6, decision, expected.decision_test as ArraySpec);
          check(`${id} predict_test`, 'exact', 0, predicted, expected.predict_test as ArraySpec);
          check(
            `${id} predict_proba_test`,
            'abs',
            1e-7,
            probabilities,
            expected.predict_proba_test as ArraySpec,
          );
        });
        check(
          `${id} train_accuracy`,
          'exact',
          0,
          [measure(classifier, x, y)],
          expected.train_accuracy as number,
        );
        check(
          `${id} test_accuracy`,
          'exact',
          0,
          [measure(classifier, xTest, yTest)],
          expected.test_accuracy as number,
        );
      });
    });
  }

  const small = [
    'mean_difference/pm_x/normalize=true',
    'mean_difference/pm_x/normalize=false',
    'mean_difference/zero_coef_norm',
    'mean_difference/quirk_nonbinary_labels',
  ];
  for (const id of small) {
    it(`${id}${id.includes('pm_x') ? ' (scenario 128)' : ''}: coef, intercept, predict, predict_proba`, () => {
      const expected = result(id);
      const x = rowsTensor(expected.x as ArraySpec);
      const y = vectorTensor(expected.y as number[]);
      const classifier = meanDifferenceClassifier({
        normalize: (expected.params as { normalize: boolean }).normalize,
      });
      using([x, y], () => {
        classifier.fit(x, y);
        check(`${id} coef`, 'abs', 1e-12, classifier.coef.flat(), expected.coef as ArraySpec);
        check(`${id} intercept`, 'abs', 1e-12, classifier.intercept, expected.intercept as ArraySpec);
        const predicted = classifier.predict(x);
        const probabilities = classifier.predictProba(x);
        using([predicted, probabilities], () => {
          check(`${id} predict`, 'exact', 0, predicted, expected.predict as ArraySpec);
          check(`${id} predict_proba`, 'abs', 1e-7, probabilities, expected.predict_proba as ArraySpec);
        });
      });
    });
  }
});

describe('probing.json conformance: logistic regression', () => {
  for (const name of ['binary', 'multiclass'] as const) {
    const id = `logistic_regression/${name}`;
    it(`${id}: coef and intercept vs the optimum and vs scikit-learn, outputs on test`, () => {
      const data = probingReference().datasets[name];
      const expected = result(id);
      const optimum = expected.optimum as { coef: ArraySpec; intercept: ArraySpec };
      const x = rowsTensor(data.x, data.train_idx);
      const y = vectorTensor(data.y, data.train_idx);
      const xTest = rowsTensor(data.x, data.test_idx);
      const yTest = vectorTensor(data.y, data.test_idx);
      const classifier = logisticRegression();
      using([x, y, xTest, yTest], () => {
        classifier.fit(x, y);
        expect(classifier.solverUsed).toBe('newton');
        expect(classifier.converged).toBe(true);
        expect(classifier.classes).toEqual(expected.classes);
        const intercept = classifier.intercept;
        if (name === 'multiclass') {
          expect(Math.abs(intercept.reduce((sum, value) => sum + value, 0))).toBeLessThan(1e-12);
        }
        check(`${id} coef vs optimum`, 'abs', 1e-8, classifier.coef.flat(), optimum.coef);
        check(`${id} intercept vs optimum`, 'abs', 1e-8, intercept, optimum.intercept);
        check(`${id} coef vs sklearn`, 'abs', 1e-3, classifier.coef.flat(), expected.coef as ArraySpec);
        check(
          `${id} intercept vs sklearn${name === 'multiclass' ? ' (centred)' : ''}`,
          'abs',
          1e-3,
          intercept,
          sklearnIntercept(expected.intercept as ArraySpec),
        );
        const decision = classifier.decisionFunction(xTest);
        const probabilities = classifier.predictProba(xTest);
        const predicted = classifier.predict(xTest);
        using([decision, probabilities, predicted], () => {
          const fromOptimum = decisions(
            data.x,
            data.test_idx,
            nested(optimum.coef),
            flat(optimum.intercept.data),
          );
          check(`${id} decision_test vs optimum`, 'rel', 1e-6, decision, fromOptimum);
          check(`${id} decision_test vs sklearn`, 'abs', 1e-2, decision, expected.decision_test as ArraySpec);
          check(
            `${id} predict_proba_test vs sklearn`,
            'abs',
            1e-3,
            probabilities,
            expected.predict_proba_test as ArraySpec,
          );
          check(`${id} predict_test`, 'exact', 0, predicted, expected.predict_test as ArraySpec);
        });
        check(
          `${id} train_accuracy`,
          'exact',
          0,
          [measure(classifier, x, y)],
          expected.train_accuracy as number,
        );
        check(
          `${id} test_accuracy`,
          'exact',
          0,
          [measure(classifier, xTest, yTest)],
          expected.test_accuracy as number,
        );
      });
    });

    it(`${id}/cv5: per-fold coef and accuracy with the reference's explicit folds`, () => {
      const data = probingReference().datasets[name];
      const expected = result(`${id}/cv5`);
      const folds = expected.folds as { accuracy: number; coef: ArraySpec; intercept: ArraySpec }[];
      const x = rowsTensor(data.x);
      const y = vectorTensor(data.y);
      const fitted: LinearModel[] = [];
      const testFolds = defined(data.cv_test_folds);
      using([x, y], () => {
        const cv = crossValidate(() => logisticRegression(), x, y, {
          folds: testFolds,
          metrics: {
            accuracy: (predicted, truth, { estimator }) => {
              const model = estimator as unknown as LinearModel;
              fitted.push({ coef: model.coef, intercept: model.intercept });
              return accuracy(predicted, truth);
            },
          },
        });
        folds.forEach((fold, f) => {
          check(
            `${id}/cv5 fold ${f} accuracy`,
            'exact',
            0,
            [defined(cv.folds[f]?.metrics.accuracy)],
            fold.accuracy,
          );
          check(
            `${id}/cv5 fold ${f} coef vs sklearn`,
            'abs',
            1e-3,
            defined(fitted[f]).coef.flat(),
            fold.coef,
          );
          // scikit-learn's lbfgs stops short (ftol): up to 1.1e-3 on the multiclass intercepts, the flattest
          // direction. That our fit is the minimiser shows in the objective, which is never above sklearn's.
          check(
            `${id}/cv5 fold ${f} intercept vs sklearn${name === 'multiclass' ? ' (centred)' : ''}`,
            'abs',
            2e-3,
            defined(fitted[f]).intercept,
            sklearnIntercept(fold.intercept),
          );
          const train = Array.from({ length: flat(data.y.data).length }, (_, i) => i).filter(
            (i) => !defined(testFolds[f]).includes(i),
          );
          const ours = objective(data, train, defined(fitted[f]).coef, defined(fitted[f]).intercept);
          const theirs = objective(data, train, nested(fold.coef), flat(fold.intercept.data));
          check(`${id}/cv5 fold ${f} objective above sklearn's`, 'abs', 0, [Math.max(0, ours - theirs)], 0);
        });
        check(
          `${id}/cv5 mean_accuracy`,
          'abs',
          1e-15,
          [defined(cv.mean.accuracy)],
          expected.mean_accuracy as number,
        );
      });
    });
  }
});

describe('probing.json conformance: least squares', () => {
  const { regression } = probingReference().datasets;
  for (const [id, make] of [
    ['linear_regression/regression', () => linearRegression()],
    ['ridge/regression', () => ridgeRegression({ alpha: 1 })],
  ] as const) {
    it(`${id}: coef, intercept, predictions, R² on train and test`, () => {
      const expected = result(id);
      const x = rowsTensor(regression.x, regression.train_idx);
      const y = vectorTensor(regression.y, regression.train_idx);
      const xTest = rowsTensor(regression.x, regression.test_idx);
      const yTest = vectorTensor(regression.y, regression.test_idx);
      const regressor = make();
      using([x, y, xTest, yTest], () => {
        regressor.fit(x, y);
        check(`${id} coef`, 'abs', 1e-10, regressor.coef.flat(), expected.coef as ArraySpec);
        check(`${id} intercept`, 'abs', 1e-10, regressor.intercept, expected.intercept as ArraySpec);
        const predictedTest = regressor.predict(xTest);
        const predictedTrain = regressor.predict(x);
        using([predictedTest, predictedTrain], () => {
          expect(predictedTest.shape).toEqual([regression.test_idx.length]);
          check(`${id} predict_test`, 'rel', 1e-6, predictedTest, expected.predict_test as ArraySpec);
          check(`${id} r2_test`, 'abs', 1e-6, [r2Score(predictedTest, yTest)], expected.r2_test as number);
          check(`${id} r2_train`, 'abs', 1e-6, [r2Score(predictedTrain, y)], expected.r2_train as number);
        });
      });
    });
  }
});

describe('probing.json conformance: error cases', () => {
  for (const error of probingReference().errors) {
    it(`${error.estimator}: ${error.description} raises "${error.match}"`, () => {
      expect(error.estimator).toBe('MeanDifferenceClassifier');
      const classifier = meanDifferenceClassifier(error.params);
      if (error.stage === 'access') {
        const attribute = error.access === 'coef_' ? 'coef' : 'intercept';
        expect(() => classifier[attribute]).toThrowTdhookError('E_INVALID_VALUE', error.match);
        rows.push({ item: `error: ${error.description}`, kind: 'exact', tolerance: 0, error: 0 });
        return;
      }
      const x = rowsTensor(defined(error.input));
      const y = Array.isArray((error.y as unknown[])[0])
        ? tf.tensor2d(error.y as number[][], undefined, 'int32')
        : vectorTensor(error.y as number[]);
      using([x, y], () => {
        expect(() => {
          classifier.fit(x, y);
        }).toThrowTdhookError('E_INVALID_VALUE', error.match);
        expect(classifier.fitted).toBe(false);
      });
      rows.push({ item: `error: ${error.description}`, kind: 'exact', tolerance: 0, error: 0 });
    });
  }
});

afterAll(() => {
  const table = markdownTable(rows);
  console.log(`probing.json conformance (${inject('tdhookBackend')}):\n${table}`);
  mkdirSync('.test-results', { recursive: true });
  writeFileSync(`.test-results/probing-conformance.${inject('tdhookBackend')}.md`, `${table}\n`);
});
