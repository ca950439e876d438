// Estimator behaviour beyond probing.json: scenario 128, the solvers (choice rule, L-BFGS and mini-batch vs
// Newton), other C / intercept settings and least-squares cases vs scikit-learn 1.2.1 (fixtures/metrics.json),
// label handling and every error. probing.json itself is covered by conformance-probing.test.ts.
import { readFileSync } from 'node:fs';

import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import type {} from '@tdhook/testing/vitest';

import { logisticObjective } from '../src/estimators/logistic-objective.js';
import { lbfgsSolve } from '../src/estimators/lbfgs-solver.js';
import { newtonSolve } from '../src/estimators/newton-solver.js';
import { wideNewtonStep } from '../src/estimators/wide-newton-step.js';

import {
  accuracy,
  chooseSolver,
  linearRegression,
  logisticRegression,
  meanDifferenceClassifier,
  ridgeRegression,
} from '../src/index.js';
import {
  defined,
  flat,
  maxError,
  probingReference,
  result,
  rowsTensor,
  vectorTensor,
  type ArraySpec,
} from './conformance-probing-fixture.js';

interface EstimatorCase {
  readonly id: string;
  readonly x: number[][];
  readonly y: number[] | number[][];
  readonly alpha?: number;
  readonly c?: number;
  readonly fit_intercept?: boolean;
  readonly coef: number[] | number[][];
  readonly intercept: number | number[];
  readonly predict_proba?: number[][];
}

const cases = (
  JSON.parse(readFileSync(new URL('fixtures/metrics.json', import.meta.url), 'utf8')) as {
    estimators: EstimatorCase[];
  }
).estimators;

function fixtureCase(id: string): EstimatorCase {
  return defined(
    cases.find((entry) => entry.id === id),
    id,
  );
}

function values(tensor: tf.Tensor): number[] {
  try {
    return Array.from(tensor.dataSync() as ArrayLike<number>);
  } finally {
    tensor.dispose();
  }
}

describe('meanDifferenceClassifier', () => {
  it('scenario 128: ±x data gives coef [[1,0]] normalised and [[3,0]] raw, intercept 0, predict [T,T,F,F], p(midpoint) = 0.5', () => {
    const x = tf.tensor2d([
      [1, 0],
      [2, 0],
      [-1, 0],
      [-2, 0],
    ]);
    const y = tf.tensor1d([1, 1, 0, 0], 'int32');
    const normalised = meanDifferenceClassifier();
    normalised.fit(x, y);
    expect(normalised.coef).toEqual([[1, 0]]);
    expect(Math.abs(defined(normalised.intercept[0]))).toBe(0);
    const raw = meanDifferenceClassifier({ normalize: false });
    raw.fit(x, y);
    expect(raw.coef).toEqual([[3, 0]]);
    expect(Math.abs(defined(raw.intercept[0]))).toBe(0);
    const predicted = normalised.predict(x);
    expect(predicted.dtype).toBe('bool');
    expect(values(predicted)).toEqual([1, 1, 0, 0]);
    const probabilities = normalised.predictProba(x);
    const sums = values(tf.tidy(() => tf.sum(probabilities, 1)));
    probabilities.dispose();
    for (const sum of sums) expect(sum).toBeCloseTo(1, 6);
    const midpoint = tf.tensor2d([[0, 0]]);
    expect(values(normalised.predictProba(midpoint))).toEqual([0.5, 0.5]);
    tf.dispose([x, y, midpoint]);
  });

  it('scenario 128: a zero coef norm skips normalisation (p = 0.5); unfitted, multiclass and one-class input raise', () => {
    const x = tf.tensor2d([
      [1, -1],
      [1, -1],
    ]);
    const y = tf.tensor1d([1, 0], 'int32');
    const classifier = meanDifferenceClassifier();
    expect(() => classifier.predict(x)).toThrowTdhookError('E_INVALID_VALUE', 'not fitted');
    expect(() => classifier.coef).toThrowTdhookError('E_INVALID_VALUE', 'not fitted');
    classifier.fit(x, y);
    expect(classifier.coef).toEqual([[0, 0]]);
    expect(values(classifier.predictProba(x))).toEqual([0.5, 0.5, 0.5, 0.5]);
    const oneHot = tf.tensor2d([
      [1, 0],
      [0, 1],
    ]);
    const ones = tf.tensor1d([1, 1], 'int32');
    expect(() => {
      meanDifferenceClassifier().fit(x, oneHot);
    }).toThrowTdhookError('E_INVALID_VALUE', 'Multiclass classification not supported');
    expect(() => {
      meanDifferenceClassifier().fit(x, ones);
    }).toThrowTdhookError('E_INVALID_VALUE', 'Both classes must be present');
    tf.dispose([x, y, oneHot, ones]);
  });

  it('labels y = [0,1,2,0,1,2] raise "Both classes must be present" (Σ(1 − y) = 0), as the original', () => {
    const x = tf.randomNormal([6, 3], 0, 1, 'float32', 1);
    const y = tf.tensor1d([0, 1, 2, 0, 1, 2], 'int32');
    expect(() => {
      meanDifferenceClassifier().fit(x, y);
    }).toThrowTdhookError('E_INVALID_VALUE', 'Both classes must be present');
    tf.dispose([x, y]);
  });

  it('accepts bool labels; rejects other feature counts, rank-3 x, NaN and a non-boolean normalize', () => {
    const x = tf.tensor2d([
      [1, 2],
      [3, 4],
    ]);
    const y = tf.tensor1d([true, false], 'bool');
    const classifier = meanDifferenceClassifier();
    classifier.fit(x, y);
    expect(classifier.coef[0]?.[0]).toBeCloseTo(-Math.SQRT1_2, 12);
    const wide = tf.zeros([1, 3]);
    const cube = tf.zeros([2, 2, 1]);
    const nan = tf.tensor2d([
      [Number.NaN, 1],
      [0, 1],
    ]);
    expect(() => classifier.predict(wide)).toThrowTdhookError('E_SHAPE_MISMATCH', 'X has 3 features');
    expect(() => {
      meanDifferenceClassifier().fit(cube, y);
    }).toThrowTdhookError('E_SHAPE_MISMATCH', '2-D tensor');
    expect(() => {
      meanDifferenceClassifier().fit(nan, y);
    }).toThrowTdhookError('E_INVALID_VALUE', 'NaN');
    expect(() => meanDifferenceClassifier({ normalize: 'yes' as unknown as boolean })).toThrowTdhookError(
      'E_INVALID_VALUE',
      'normalize must be a boolean',
    );
    tf.dispose([x, y, wide, cube, nan]);
  });
});

describe('logisticRegression solvers', () => {
  it('solver: auto picks Newton for P = rows·(d+1) ≤ 256 or binary d ≥ n (n ≤ 2048), L-BFGS for n·d ≤ 2^24, else mini-batch', () => {
    expect(chooseSolver(300, 32, 1, true)).toBe('newton');
    expect(chooseSolver(300, 32, 4, true)).toBe('newton'); // 132 parameters
    expect(chooseSolver(300, 255, 1, true)).toBe('newton');
    expect(chooseSolver(300, 256, 1, true)).toBe('lbfgs');
    expect(chooseSolver(300, 256, 1, false)).toBe('newton');
    expect(chooseSolver(10_000, 768, 10, true)).toBe('lbfgs');
    expect(chooseSolver(2 ** 14, 1024, 1, true)).toBe('lbfgs');
    expect(chooseSolver(2 ** 14 + 1, 1024, 1, true)).toBe('minibatch');
    expect(chooseSolver(1200, 5408, 1, true)).toBe('newton'); // Woodbury form
    expect(chooseSolver(1200, 5408, 3, true)).toBe('lbfgs'); // multinomial
    expect(chooseSolver(2049, 4096, 1, true)).toBe('lbfgs'); // too many rows for the n × n form
    expect(chooseSolver(2000, 9000, 1, true)).toBe('minibatch'); // n·d > 2^24
  });

  for (const name of ['binary', 'multiclass'] as const) {
    it(`L-BFGS reaches the same optimum as Newton (${name}, probing.json's optimum, atol 1e-7)`, () => {
      const data = probingReference().datasets[name];
      const optimum = result(`logistic_regression/${name}`).optimum as {
        coef: ArraySpec;
        intercept: ArraySpec;
      };
      const x = rowsTensor(data.x, data.train_idx);
      const y = vectorTensor(data.y, data.train_idx);
      const lbfgs = logisticRegression({ solver: 'lbfgs' });
      lbfgs.fit(x, y);
      expect(lbfgs.solverUsed).toBe('lbfgs');
      expect(lbfgs.converged).toBe(true);
      expect(maxError(lbfgs.coef.flat(), flat(optimum.coef.data), 'abs')).toBeLessThan(1e-7);
      expect(maxError(lbfgs.intercept, flat(optimum.intercept.data), 'abs')).toBeLessThan(1e-7);
      tf.dispose([x, y]);
    });
  }

  it('auto uses L-BFGS past 256 parameters, and agrees with a forced Newton fit', () => {
    const x = tf.randomNormal([400, 300], 0, 1, 'float32', 7);
    const y = tf.tidy(() => tf.cast(tf.greater(tf.sum(tf.slice(x, [0, 0], [400, 5]), 1), 0), 'int32'));
    const auto = logisticRegression();
    auto.fit(x, y);
    expect(auto.solverUsed).toBe('lbfgs');
    expect(auto.converged).toBe(true);
    const newton = logisticRegression({ solver: 'newton' });
    newton.fit(x, y);
    expect(newton.iterations).toBeLessThan(30);
    expect(maxError(auto.coef.flat(), newton.coef.flat(), 'abs')).toBeLessThan(1e-7);
    tf.dispose([x, y]);
  });

  it('Newton and L-BFGS stop when float64 can improve neither the value nor the gradient, not at maxIterations', () => {
    // An unreachable tolerance: both must notice the stall (a null step passes Armijo's test once
    // value + 1e-4·t·slope rounds to value) and stop early.
    const data = probingReference().datasets.binary;
    const x = rowsTensor(data.x, data.train_idx);
    const y = vectorTensor(data.y, data.train_idx);
    for (const solver of ['newton', 'lbfgs'] as const) {
      const fit = logisticRegression({ solver, tolerance: 1e-30, c: 100 });
      fit.fit(x, y);
      expect(fit.iterations).toBeLessThan(solver === 'newton' ? 40 : 600);
    }
    tf.dispose([x, y]);
  });

  for (const fitIntercept of [true, false]) {
    it(`binary d ≥ n (118 × 300, fitIntercept ${String(fitIntercept)}): auto's Newton in the Woodbury form takes the dense Newton's steps and reaches L-BFGS's optimum`, () => {
      // 118 = 4·29 + 2 rows: the Gram matrix's 4-row blocks and the rows left over.
      const x = tf.randomNormal([118, 300], 0, 1, 'float32', 7);
      const y = tf.tidy(() => tf.cast(tf.greater(tf.sum(tf.slice(x, [0, 0], [118, 5]), 1), 0.5), 'int32'));
      const auto = logisticRegression({ c: 0.5, fitIntercept });
      auto.fit(x, y);
      expect(auto.solverUsed).toBe('newton');
      expect(auto.converged).toBe(true);
      expect(auto.iterations).toBeLessThan(30);
      const rows = { rows: 118, columns: 300, data: Float64Array.from(x.dataSync()) };
      const problem = { x: rows, labels: Int32Array.from(y.dataSync()), classCount: 2, c: 0.5, fitIntercept };
      const options = { maxIterations: 1000, tolerance: 1e-10 };
      const dense = newtonSolve(logisticObjective(problem), options);
      const wide = newtonSolve(logisticObjective(problem), options, wideNewtonStep(rows, 0.5, fitIntercept));
      const lbfgs = lbfgsSolve(logisticObjective(problem), options);
      expect(wide.iterations).toBe(dense.iterations);
      expect(maxError(Array.from(wide.theta), Array.from(dense.theta), 'abs')).toBeLessThan(1e-9);
      expect(maxError(Array.from(wide.theta), Array.from(lbfgs.theta), 'abs')).toBeLessThan(1e-6);
      const theta = Array.from(wide.theta);
      expect(maxError(auto.coef.flat(), theta.slice(0, 300), 'abs')).toBe(0);
      expect(auto.intercept[0]).toBe(fitIntercept ? theta[300] : 0);
      tf.dispose([x, y]);
    });
  }

  it('mini-batch (TF.js Adam, float32) lands near the optimum and is deterministic for a seed', () => {
    const data = probingReference().datasets.binary;
    const optimum = (result('logistic_regression/binary').optimum as { coef: ArraySpec }).coef;
    const x = rowsTensor(data.x, data.train_idx);
    const y = vectorTensor(data.y, data.train_idx);
    const xTest = rowsTensor(data.x, data.test_idx);
    const yTest = vectorTensor(data.y, data.test_idx);
    const options = { solver: 'minibatch', epochs: 150, batchSize: 50, learningRate: 0.02, seed: 3 } as const;
    const first = logisticRegression(options);
    first.fit(x, y);
    const second = logisticRegression(options);
    second.fit(x, y);
    expect(first.solverUsed).toBe('minibatch');
    expect(first.iterations).toBe(150);
    expect(second.coef).toEqual(first.coef);
    const error = maxError(first.coef.flat(), flat(optimum.data), 'abs');
    expect(error).toBeLessThan(0.1);
    const predicted = first.predict(xTest);
    expect(accuracy(predicted, yTest)).toBeGreaterThanOrEqual(0.9); // Newton / sklearn: 0.93
    tf.dispose([x, y, xTest, yTest, predicted]);
  });
});

describe('logisticRegression vs scikit-learn 1.2.1 (tol 1e-12) with other settings', () => {
  for (const id of [
    'logistic_regression/binary/C=0.1/fit_intercept=False',
    'logistic_regression/binary/C=10.0/fit_intercept=True',
    'logistic_regression/3_classes/C=0.5',
  ]) {
    it(`${id}: coef, intercept, predict_proba (atol 1e-4)`, () => {
      const item = fixtureCase(id);
      const x = tf.tensor2d(item.x);
      const y = tf.tensor1d(item.y as number[], 'int32');
      const classifier = logisticRegression({
        c: defined(item.c),
        fitIntercept: defined(item.fit_intercept),
      });
      classifier.fit(x, y);
      expect(classifier.converged).toBe(true);
      const intercepts = [item.intercept].flat();
      const mean = intercepts.length > 1 ? intercepts.reduce((a, b) => a + b, 0) / intercepts.length : 0;
      expect(maxError(classifier.coef.flat(), [item.coef].flat(2), 'abs')).toBeLessThan(1e-4);
      expect(
        maxError(
          classifier.intercept,
          intercepts.map((b) => b - mean),
          'abs',
        ),
      ).toBeLessThan(1e-4);
      if (item.fit_intercept === false) expect(classifier.intercept).toEqual([0]);
      expect(
        maxError(values(classifier.predictProba(x)), defined(item.predict_proba).flat(), 'abs'),
      ).toBeLessThan(1e-4);
      tf.dispose([x, y]);
    });
  }
});

describe('logisticRegression labels and errors', () => {
  it('keeps the label values: classes [3, 7] predict 3 or 7 (int32); fractional labels predict float32', () => {
    const x = tf.tensor2d([[-2], [-1], [1], [2]]);
    const y = tf.tensor1d([3, 3, 7, 7], 'int32');
    const classifier = logisticRegression();
    classifier.fit(x, y);
    expect(classifier.classes).toEqual([3, 7]);
    const predicted = classifier.predict(x);
    expect(predicted.dtype).toBe('int32');
    expect(values(predicted)).toEqual([3, 3, 7, 7]);
    const decision = classifier.decisionFunction(x);
    expect(decision.shape).toEqual([4]);
    decision.dispose();
    const halves = tf.tensor1d([0.5, 0.5, 1.5, 1.5]);
    const fractional = logisticRegression();
    fractional.fit(x, halves);
    const labels = fractional.predict(x);
    expect(labels.dtype).toBe('float32');
    expect(values(labels)).toEqual([0.5, 0.5, 1.5, 1.5]);
    tf.dispose([x, y, halves]);
  });

  it('errors: one class, 2-D y, row mismatch, NaN, unfitted, other feature count, bad options', () => {
    const x = tf.tensor2d([
      [0, 1],
      [1, 0],
    ]);
    const same = tf.tensor1d([1, 1], 'int32');
    const oneHot = tf.tensor2d([
      [1, 0],
      [0, 1],
    ]);
    const three = tf.tensor1d([0, 1, 0], 'int32');
    const nan = tf.tensor2d([
      [Number.NaN, 1],
      [1, 0],
    ]);
    const y = tf.tensor1d([0, 1], 'int32');
    const classifier = logisticRegression();
    expect(() => {
      classifier.fit(x, same);
    }).toThrowTdhookError('E_INVALID_VALUE', 'at least 2 classes');
    expect(() => {
      classifier.fit(x, oneHot);
    }).toThrowTdhookError('E_SHAPE_MISMATCH', '1-D class labels');
    expect(() => {
      classifier.fit(x, three);
    }).toThrowTdhookError('E_SHAPE_MISMATCH', 'x has 2 samples but y has 3');
    expect(() => {
      classifier.fit(nan, y);
    }).toThrowTdhookError('E_INVALID_VALUE', 'NaN or infinity');
    expect(() => classifier.predictProba(x)).toThrowTdhookError('E_INVALID_VALUE', 'not fitted');
    expect(() => classifier.classes).toThrowTdhookError('E_INVALID_VALUE', 'not fitted');
    expect(classifier.fitted).toBe(false);
    classifier.fit(x, y);
    const column = tf.reshape(oneHot, [4, 1]);
    expect(() => classifier.predict(column)).toThrowTdhookError('E_SHAPE_MISMATCH', 'X has 1 features');
    expect(() => logisticRegression({ c: 0 })).toThrowTdhookError('E_INVALID_VALUE', 'c must be a positive');
    expect(() => logisticRegression({ solver: 'sag' as 'lbfgs' })).toThrowTdhookError(
      'E_INVALID_VALUE',
      "Unknown solver 'sag'",
    );
    expect(() => logisticRegression({ maxIterations: 0.5 })).toThrowTdhookError(
      'E_INVALID_VALUE',
      'maxIterations',
    );
    tf.dispose([x, same, oneHot, three, nan, y, column]);
  });
});

describe('ridgeRegression and linearRegression vs scikit-learn 1.2.1', () => {
  for (const id of ['ridge/multi_target/alpha=0.1', 'ridge/multi_target/alpha=10.0']) {
    it(`${id}: y [n, 3] gives coef [3, d], intercept [3], predictions [n, 3] (atol 1e-10)`, () => {
      const item = fixtureCase(id);
      const x = tf.tensor2d(item.x);
      const y = tf.tensor2d(item.y);
      const ridge = ridgeRegression({ alpha: defined(item.alpha) });
      ridge.fit(x, y);
      expect(maxError(ridge.coef.flat(), (item.coef as number[][]).flat(), 'abs')).toBeLessThan(1e-10);
      expect(maxError(ridge.intercept, item.intercept as number[], 'abs')).toBeLessThan(1e-10);
      const predicted = ridge.predict(x);
      expect(predicted.shape).toEqual([item.x.length, 3]);
      predicted.dispose();
      tf.dispose([x, y]);
    });
  }

  for (const id of ['linear_regression/rank_deficient', 'linear_regression/wide']) {
    it(`${id}: the minimum-norm least-squares solution (atol 1e-9)`, () => {
      const item = fixtureCase(id);
      const x = tf.tensor2d(item.x);
      const y = tf.tensor1d(item.y as number[]);
      const ols = linearRegression();
      ols.fit(x, y);
      expect(maxError(ols.coef.flat(), item.coef as number[], 'abs')).toBeLessThan(1e-9);
      expect(maxError(ols.intercept, [item.intercept as number], 'abs')).toBeLessThan(1e-9);
      tf.dispose([x, y]);
    });
  }

  it('errors: alpha ≤ 0, unfitted predict, other feature count', () => {
    expect(() => ridgeRegression({ alpha: 0 })).toThrowTdhookError('E_INVALID_VALUE', 'linearRegression()');
    const x = tf.tensor2d([[1], [2], [3]]);
    const y = tf.tensor1d([1, 2, 3]);
    const ols = linearRegression();
    expect(() => ols.predict(x)).toThrowTdhookError('E_INVALID_VALUE', 'not fitted');
    ols.fit(x, y);
    expect(ols.coef[0]?.[0]).toBeCloseTo(1, 12);
    const wide = tf.zeros([1, 2]);
    expect(() => ols.predict(wide)).toThrowTdhookError('E_SHAPE_MISMATCH', 'X has 2 features');
    tf.dispose([x, y, wide]);
  });
});
