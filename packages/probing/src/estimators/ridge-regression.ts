import { InvalidValueError } from '@tdhook/core';

import { linearRegressor, type LinearRegressor } from './linear-regressor.js';

/**
 * Options of {@link ridgeRegression}.
 *
 * @example
 * const options: RidgeRegressionOptions = { alpha: 0.1 };
 */
export interface RidgeRegressionOptions {
  /** The L2 strength: minimises ‖y − Xw − b‖² + α‖w‖². Default `1` (scikit-learn's). */
  readonly alpha?: number;
}

/**
 * Ridge regression as scikit-learn's `Ridge(alpha)` fits it, in float64: centre X and y, solve
 * (XcᵀXc + αI) w = Xcᵀyc by Cholesky, b = ȳ − x̄·w. `y` is `[n]` or `[n, k]` (k targets at once); `coef` is
 * `[k, d]` (`[1, d]` for 1-D y) and `predict` returns the shape of y.
 *
 * @example
 * const ridge = ridgeRegression({ alpha: 1 });
 * ridge.fit(x, targets); // x [n, d], targets [n] float32
 * const predicted = ridge.predict(x); // [n], caller owns
 * predicted.dispose();
 */
export function ridgeRegression(options: RidgeRegressionOptions = {}): LinearRegressor {
  const alpha = options.alpha ?? 1;
  if (typeof alpha !== 'number' || !Number.isFinite(alpha) || alpha <= 0) {
    throw new InvalidValueError({
      what: `alpha must be a positive finite number, got ${String(alpha)}`,
      where: 'ridge-regression options.alpha',
      fix: 'For alpha = 0 (no penalty) use linearRegression().',
    });
  }
  return linearRegressor('ridge-regression', alpha);
}
