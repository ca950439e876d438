import { compareCloseness, formatClosenessReport, type Tolerance } from './closeness.js';
import type { TensorValues } from './tensor-values.js';

interface MatcherResult {
  pass: boolean;
  message: () => string;
}

/**
 * `expect(actual).toBeCloseToTensor(expected, { rtol, atol })`: element-wise closeness with numpy semantics.
 * On failure the message names the worst element, its index and both values. Registered by the shared setup file.
 *
 * @example
 * expect(gradient).toBeCloseToTensor(reference.attribution, { rtol: 1e-4, atol: 1e-6 });
 */
export function toBeCloseToTensor(
  actual: TensorValues,
  expected: TensorValues,
  tolerance?: Tolerance,
): MatcherResult {
  const report = compareCloseness(actual, expected, tolerance);
  return {
    pass: report.pass,
    message: () =>
      report.pass
        ? `expected values not to be close, but they are: ${formatClosenessReport(report)}`
        : `expected values to be close: ${formatClosenessReport(report)}`,
  };
}
