import { linearRegressor, type LinearRegressor } from './linear-regressor.js';

/**
 * Ordinary least squares as scikit-learn's `LinearRegression()` fits it, in float64: centre X and y and take
 * the minimum-norm least-squares solution (SVD of the centred X), b = ȳ − x̄·w. `y` is `[n]` or `[n, k]`.
 *
 * @example
 * const ols = linearRegression();
 * ols.fit(x, targets); // x [n, d], targets [n] or [n, k]
 * const predicted = ols.predict(x);
 * predicted.dispose();
 */
export function linearRegression(): LinearRegressor {
  return linearRegressor('linear-regression', 0);
}
