// The Estimator shell shared by ridgeRegression and linearRegression: input checks, fitted state, predict.
import * as tf from '@tensorflow/tfjs-core';

import { centredLeastSquares, type LeastSquaresFit } from './centred-least-squares.js';
import { checkFeatureCount, notFittedError, readRows, readTargets } from './dense-rows.js';
import type { Estimator, LinearModel } from './estimator.js';

/**
 * A linear regressor with float64 {@link LinearModel} parameters; `predict` returns float32 `[n]` or `[n, k]`.
 *
 * @example
 * const regressor: LinearRegressor = ridgeRegression();
 */
export interface LinearRegressor extends Estimator, LinearModel {}

interface Fitted extends LeastSquaresFit {
  /** Whether y was `[n]` (predict returns `[n]`) rather than `[n, k]`. */
  readonly vector: boolean;
  readonly features: number;
}

/**
 * A regressor that fits by {@link centredLeastSquares} with strength `alpha`.
 *
 * @example
 * const ols = linearRegressor('linear-regression', 0);
 */
export function linearRegressor(name: string, alpha: number): LinearRegressor {
  let fitted: Fitted | undefined;
  const state = (what: string): Fitted => {
    if (fitted === undefined) throw notFittedError(name, what);
    return fitted;
  };
  return {
    name,
    get fitted() {
      return fitted !== undefined;
    },
    get coef() {
      return state('coef').coef.map((row) => Array.from(row));
    },
    get intercept() {
      return Array.from(state('intercept').intercept);
    },
    fit(x, y) {
      const rows = readRows(x, `${name}.fit(x)`);
      const targets = readTargets(y, rows.rows, `${name}.fit(y)`);
      fitted = {
        ...centredLeastSquares(rows, targets, alpha),
        vector: targets.vector,
        features: rows.columns,
      };
    },
    predict(x) {
      const model = state('predict');
      const rows = readRows(x, `${name}.predict(x)`);
      const d = model.features;
      checkFeatureCount(rows, d, `${name}.predict(x)`);
      const k = model.coef.length;
      const out = new Float32Array(rows.rows * k);
      for (let i = 0; i < rows.rows; i++) {
        for (const [t, w] of model.coef.entries()) {
          let sum = model.intercept[t] ?? 0;
          for (let j = 0; j < d; j++) sum += (rows.data[i * d + j] ?? 0) * (w[j] ?? 0);
          out[i * k + t] = sum;
        }
      }
      return model.vector ? tf.tensor1d(out, 'float32') : tf.tensor2d(out, [rows.rows, k], 'float32');
    },
    dispose() {},
  };
}
