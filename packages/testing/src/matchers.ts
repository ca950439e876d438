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

const tdhookErrorBrand = Symbol.for('tdhook.error');

/**
 * `expect(fn).toThrowTdhookError(code, pattern?)`: `fn` throws a tdhook error (recognised by its brand, from
 * any copy of @tdhook/core) with this `code`, and a message matching `pattern` if given.
 *
 * @example
 * expect(() => td.get('nope')).toThrowTdhookError('E_MISSING_KEY', /No entry "nope"/);
 */
export function toThrowTdhookError(fn: unknown, code: string, pattern?: RegExp | string): MatcherResult {
  if (typeof fn !== 'function') return { pass: false, message: () => 'expected a function to call' };
  let thrown: unknown;
  let threw = false;
  try {
    (fn as () => unknown)();
  } catch (error) {
    thrown = error;
    threw = true;
  }
  if (!threw)
    return { pass: false, message: () => `expected a tdhook error ${code}, but nothing was thrown` };
  const error = thrown as { code?: unknown; message?: unknown; [tdhookErrorBrand]?: unknown } | null;
  const message = typeof error?.message === 'string' ? error.message : String(thrown);
  if (error?.[tdhookErrorBrand] !== true) {
    return {
      pass: false,
      message: () => `expected a tdhook error ${code}, got a non-tdhook error: ${message}`,
    };
  }
  const codeOk = error.code === code;
  const messageOk =
    pattern === undefined ||
    (typeof pattern === 'string' ? message.includes(pattern) : pattern.test(message));
  return {
    pass: codeOk && messageOk,
    message: () =>
      `expected tdhook error ${code}${pattern === undefined ? '' : ` matching ${String(pattern)}`}, got ${String(error.code)}: ${message}`,
  };
}
