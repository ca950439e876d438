import * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError, ShapeMismatchError } from '@tdhook/core';

import {
  checkFeatureCount,
  notFittedError,
  readRows,
  readTargets,
  uniqueLabels,
  type DenseRows,
} from './dense-rows.js';
import type { Classifier, LinearModel } from './estimator.js';
import { lbfgsSolve } from './lbfgs-solver.js';
import { logisticObjective, scoreRows } from './logistic-objective.js';
import { minibatchSolve } from './minibatch-solver.js';
import { newtonSolve } from './newton-solver.js';
import { sigmoid } from './sigmoid.js';
import { chooseSolver, isWideNewton, newtonMaxParameters, type LogisticSolver } from './solver-choice.js';
import { maxAbs } from './solver-result.js';
import { wideNewtonStep } from './wide-newton-step.js';

/**
 * Options of {@link logisticRegression}.
 *
 * @example
 * const options: LogisticRegressionOptions = { c: 0.1, solver: 'lbfgs' };
 */
export interface LogisticRegressionOptions {
  /** Inverse L2 strength: the objective is Σ log-loss + ‖W‖²/(2C). Default `1` (scikit-learn's). */
  readonly c?: number;
  /** Fit an (unpenalised) intercept per score row. Default `true`. */
  readonly fitIntercept?: boolean;
  /** The iteration cap of the Newton and L-BFGS solvers. Default `1000` (Newton needs 5–30). */
  readonly maxIterations?: number;
  /** Converged when max |gradient| ≤ tolerance · max(1, max |gradient at 0|). Default `1e-10`. */
  readonly tolerance?: number;
  /**
   * `'newton'` (float64, exact; binary problems with d ≥ n solve each step in n × n by Woodbury's identity),
   * `'lbfgs'` (float64, for many parameters), `'minibatch'` (TF.js Adam, float32, approximate, for wide
   * inputs; needs gradients registered, e.g. by `@tdhook/backend`). Default `'auto'`: Newton if
   * rows·(d + 1) ≤ 256; else, if n·d ≤ 2²⁴, Newton (Woodbury) for binary problems with d ≥ n and n ≤ 2048,
   * otherwise L-BFGS; else mini-batch.
   */
  readonly solver?: 'auto' | LogisticSolver;
  /** Mini-batch only: passes over the data. Default `100`. */
  readonly epochs?: number;
  /** Mini-batch only: rows per batch. Default `256`. */
  readonly batchSize?: number;
  /** Mini-batch only: Adam's learning rate. Default `0.01`. */
  readonly learningRate?: number;
  /** Mini-batch only: the seed of the batch shuffles. Default `0`. */
  readonly seed?: number;
}

/**
 * A fitted-or-not logistic regression: a {@link Classifier} with float64 parameters and solver facts.
 *
 * @example
 * const classifier: LogisticRegression = logisticRegression();
 * classifier.fit(x, labels);
 * console.log(classifier.solverUsed, classifier.iterations, classifier.converged);
 */
export interface LogisticRegression extends Classifier, LinearModel {
  /** The solver `fit` used (`'auto'` resolved). */
  readonly solverUsed: LogisticSolver;
  /** Newton or L-BFGS iterations, or mini-batch epochs. */
  readonly iterations: number;
  /** Whether the gradient test passed (mini-batch: rarely at the default tolerance; it runs `epochs`). */
  readonly converged: boolean;
}

interface Fitted {
  readonly classes: readonly number[];
  readonly features: number;
  /** `[rows, d]`. */
  readonly coef: Float64Array[];
  readonly intercept: Float64Array;
  readonly solver: LogisticSolver;
  readonly iterations: number;
  readonly converged: boolean;
}

const name = 'logistic-regression';

function positiveNumber(value: number, option: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new InvalidValueError({
      what: `${option} must be a positive finite number, got ${String(value)}`,
      where: `${name} options.${option}`,
    });
  }
  return value;
}

function positiveInteger(value: number, option: string): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new InvalidValueError({
      what: `${option} must be a positive integer, got ${String(value)}`,
      where: `${name} options.${option}`,
    });
  }
  return value;
}

/**
 * Logistic regression as scikit-learn fits it (`LogisticRegression(C=1)`, L2, lbfgs): binary problems get one
 * score row (sigmoid), three or more classes the multinomial softmax with one row per class. The objective
 * is Σᵢ log-loss + ‖W‖²/(2C) with unpenalised intercepts, minimised to convergence in float64 (Newton, or
 * L-BFGS when the Hessian is large) or approximately by mini-batch Adam on TF.js for wide inputs. The
 * multinomial intercepts follow scikit-learn's convention Σ intercept = 0 (the objective is flat along a
 * common shift).
 *
 * `predict` returns the class labels (int32 when they are integers), `predictProba` `[n, classes]`,
 * `decisionFunction` `[n]` (binary, positive means the larger label) or `[n, classes]`.
 *
 * @example
 * const classifier = logisticRegression({ c: 1 });
 * classifier.fit(x, labels); // x [n, d], labels [n] int32
 * const probabilities = classifier.predictProba(x); // [n, classes], caller owns
 * console.log(classifier.solverUsed, classifier.iterations, classifier.coef);
 * probabilities.dispose();
 */
export function logisticRegression(options: LogisticRegressionOptions = {}): LogisticRegression {
  const c = positiveNumber(options.c ?? 1, 'c');
  const fitIntercept = options.fitIntercept ?? true;
  const maxIterations = positiveInteger(options.maxIterations ?? 1000, 'maxIterations');
  const tolerance = positiveNumber(options.tolerance ?? 1e-10, 'tolerance');
  const solver = options.solver ?? 'auto';
  if (!['auto', 'newton', 'lbfgs', 'minibatch'].includes(solver)) {
    throw new InvalidValueError({
      what: `Unknown solver '${solver}'`,
      where: `${name} options.solver`,
      fix: "Use 'auto', 'newton', 'lbfgs' or 'minibatch'.",
    });
  }
  const epochs = positiveInteger(options.epochs ?? 100, 'epochs');
  const batchSize = positiveInteger(options.batchSize ?? 256, 'batchSize');
  const learningRate = positiveNumber(options.learningRate ?? 0.01, 'learningRate');
  const seed = options.seed ?? 0;

  let fitted: Fitted | undefined;
  const state = (what: string): Fitted => {
    if (fitted === undefined) throw notFittedError(name, what);
    return fitted;
  };
  // Float64 scores [n, rows] of x.
  const scoresOf = (x: tf.Tensor, what: string): { rows: DenseRows; scores: Float64Array; model: Fitted } => {
    const model = state(what);
    const rows = readRows(x, `${name}.${what}(x)`);
    const d = model.features;
    checkFeatureCount(rows, d, `${name}.${what}(x)`);
    const k = model.coef.length;
    const scores = new Float64Array(rows.rows * k);
    for (let i = 0; i < rows.rows; i++) {
      for (const [r, w] of model.coef.entries()) {
        let sum = model.intercept[r] ?? 0;
        for (let j = 0; j < d; j++) sum += (rows.data[i * d + j] ?? 0) * (w[j] ?? 0);
        scores[i * k + r] = sum;
      }
    }
    return { rows, scores, model };
  };
  const probabilitiesOf = (x: tf.Tensor, what: string): { values: Float64Array; model: Fitted } => {
    const { rows, scores, model } = scoresOf(x, what);
    const classes = model.classes.length;
    const values = new Float64Array(rows.rows * classes);
    for (let i = 0; i < rows.rows; i++) {
      if (classes === 2) {
        const p = sigmoid(scores[i] ?? 0);
        values[2 * i] = 1 - p;
        values[2 * i + 1] = p;
        continue;
      }
      let max = -Infinity;
      for (let k = 0; k < classes; k++) max = Math.max(max, scores[i * classes + k] ?? 0);
      let total = 0;
      for (let k = 0; k < classes; k++) {
        const e = Math.exp((scores[i * classes + k] ?? 0) - max);
        values[i * classes + k] = e;
        total += e;
      }
      for (let k = 0; k < classes; k++) values[i * classes + k] = (values[i * classes + k] ?? 0) / total;
    }
    return { values, model };
  };

  return {
    name,
    get fitted() {
      return fitted !== undefined;
    },
    get classes() {
      return state('classes').classes;
    },
    get coef() {
      return state('coef').coef.map((row) => Array.from(row));
    },
    get intercept() {
      return Array.from(state('intercept').intercept);
    },
    get solverUsed() {
      return state('solverUsed').solver;
    },
    get iterations() {
      return state('iterations').iterations;
    },
    get converged() {
      return state('converged').converged;
    },
    fit(x, y) {
      const where = `${name}.fit(x, y)`;
      if (y.rank !== 1) {
        throw new ShapeMismatchError({
          what: `Expected 1-D class labels y [samples], got shape [${y.shape.join(', ')}]`,
          where,
          fix: 'Pass one label per row (e.g. argmax of one-hot labels).',
        });
      }
      const rows = readRows(x, `${name}.fit(x)`);
      const values = readTargets(y, rows.rows, `${name}.fit(y)`).data;
      const classes = uniqueLabels(values);
      if (classes.length < 2) {
        throw new InvalidValueError({
          what: `This solver needs samples of at least 2 classes in the data, but the data contains only one class: ${classes[0]}`,
          where,
          fix: 'Fit on rows of at least two classes.',
        });
      }
      const index = new Map(classes.map((label, i) => [label, i]));
      const labels = Int32Array.from(values, (label) => index.get(label) ?? 0);
      const d = rows.columns;
      const k = scoreRows(classes.length);
      const chosen = solver === 'auto' ? chooseSolver(rows.rows, d, k, fitIntercept) : solver;
      const problem = { x: rows, labels, classCount: classes.length, c, fitIntercept };
      let theta: Float64Array;
      let iterations: number;
      let converged: boolean;
      if (chosen === 'minibatch') {
        theta = minibatchSolve(x, labels, classes.length, {
          c,
          fitIntercept,
          epochs,
          batchSize,
          learningRate,
          seed,
        });
        iterations = epochs;
        const gradient = new Float64Array(theta.length);
        const objective = logisticObjective(problem);
        objective.valueAndGradient(new Float64Array(theta.length), gradient);
        const threshold = tolerance * Math.max(1, maxAbs(gradient));
        objective.valueAndGradient(theta, gradient);
        converged = maxAbs(gradient) <= threshold;
      } else {
        const objective = logisticObjective(problem);
        const solverOptions = { maxIterations, tolerance };
        const dense = k * (d + (fitIntercept ? 1 : 0)) <= newtonMaxParameters;
        const result =
          chosen === 'lbfgs'
            ? lbfgsSolve(objective, solverOptions)
            : newtonSolve(
                objective,
                solverOptions,
                !dense && isWideNewton(rows.rows, d, k) ? wideNewtonStep(rows, c, fitIntercept) : undefined,
              );
        ({ theta, iterations, converged } = result);
      }
      const stride = d + (fitIntercept ? 1 : 0);
      const coef = Array.from({ length: k }, (_, r) => theta.slice(r * stride, r * stride + d));
      const intercept = Float64Array.from({ length: k }, (_, r) =>
        fitIntercept ? (theta[r * stride + d] ?? 0) : 0,
      );
      if (k > 1) {
        // The objective is flat along a common intercept shift: fix Σ intercept = 0 (scikit-learn's).
        const mean = intercept.reduce((sum, value) => sum + value, 0) / k;
        for (let r = 0; r < k; r++) intercept[r] = (intercept[r] ?? 0) - mean;
      }
      fitted = { classes, features: d, coef, intercept, solver: chosen, iterations, converged };
    },
    predict(x) {
      // From the scores, as scikit-learn does: binary score > 0, else the first largest score.
      const { rows, scores, model } = scoresOf(x, 'predict');
      const k = model.coef.length;
      const labels = new Float32Array(rows.rows);
      for (let i = 0; i < rows.rows; i++) {
        let best = 0;
        if (k === 1) best = (scores[i] ?? 0) > 0 ? 1 : 0;
        else for (let r = 1; r < k; r++) if ((scores[i * k + r] ?? 0) > (scores[i * k + best] ?? 0)) best = r;
        labels[i] = model.classes[best] ?? 0;
      }
      return model.classes.every(Number.isInteger)
        ? tf.tensor1d(Int32Array.from(labels), 'int32')
        : tf.tensor1d(labels, 'float32');
    },
    predictProba(x) {
      const { values, model } = probabilitiesOf(x, 'predictProba');
      const classes = model.classes.length;
      return tf.tensor2d(Float32Array.from(values), [values.length / classes, classes], 'float32');
    },
    decisionFunction(x) {
      const { rows, scores, model } = scoresOf(x, 'decisionFunction');
      const k = model.coef.length;
      const values = Float32Array.from(scores);
      return k === 1 ? tf.tensor1d(values, 'float32') : tf.tensor2d(values, [rows.rows, k], 'float32');
    },
    dispose() {},
  };
}
