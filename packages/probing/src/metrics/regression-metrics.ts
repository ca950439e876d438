// R² and mean squared error, as scikit-learn 1.2.1 defines them (multi-output: the uniform average).
// Arguments are (predicted, truth); scikit-learn's take (y_true, y_pred).
import { metricPair, type MetricInput } from './metric-values.js';

/**
 * The coefficient of determination 1 − SS_res/SS_tot (`r2_score`), per output then averaged. A constant
 * truth gives 1 if predicted exactly, else 0 (scikit-learn's `force_finite`); fewer than two samples give NaN.
 *
 * @example
 * r2Score([2.5, 0, 2, 8], [3, -0.5, 2, 7]); // 0.9486…
 */
export function r2Score(predicted: MetricInput, truth: MetricInput): number {
  const { predicted: p, truth: t } = metricPair(predicted, truth, 'r2Score', false);
  const n = t.shape[0] ?? 0;
  const k = t.shape[1] ?? 1;
  if (n < 2) return Number.NaN;
  let total = 0;
  for (let o = 0; o < k; o++) {
    let mean = 0;
    for (let i = 0; i < n; i++) mean += t.values[i * k + o] ?? 0;
    mean /= n;
    let residual = 0;
    let spread = 0;
    for (let i = 0; i < n; i++) {
      const value = t.values[i * k + o] ?? 0;
      residual += (value - (p.values[i * k + o] ?? 0)) ** 2;
      spread += (value - mean) ** 2;
    }
    total += spread === 0 ? (residual === 0 ? 1 : 0) : 1 - residual / spread;
  }
  return total / k;
}

/**
 * The mean of the squared errors over all samples and outputs (`mean_squared_error`).
 *
 * @example
 * meanSquaredError([2.5, 0, 2, 8], [3, -0.5, 2, 7]); // 0.375
 */
export function meanSquaredError(predicted: MetricInput, truth: MetricInput): number {
  const { predicted: p, truth: t } = metricPair(predicted, truth, 'meanSquaredError', false);
  let sum = 0;
  for (let i = 0; i < p.values.length; i++) sum += ((p.values[i] ?? 0) - (t.values[i] ?? 0)) ** 2;
  return sum / p.values.length;
}
