import { readValues, type TensorValues } from './tensor-values.js';

/** Tolerances in the numpy sense: an element passes when `|actual − expected| ≤ atol + rtol·|expected|`. */
export interface Tolerance {
  readonly rtol?: number;
  readonly atol?: number;
}

/** numpy's `allclose` defaults. Tests state their own tolerance whenever the math allows less. */
export const defaultTolerance: Required<Tolerance> = { rtol: 1e-5, atol: 1e-8 };

/** The element that is furthest outside its tolerance (or closest to it, when all pass). */
export interface WorstElement {
  readonly index: readonly number[];
  readonly actual: number;
  readonly expected: number;
  readonly absoluteError: number;
  readonly allowed: number;
}

/** What a closeness comparison found. */
export interface ClosenessReport {
  readonly pass: boolean;
  readonly shapeMismatch: boolean;
  readonly actualShape: readonly number[];
  readonly expectedShape: readonly number[];
  readonly mismatches: number;
  readonly size: number;
  readonly maxAbsoluteError: number;
  readonly worst: WorstElement | undefined;
  readonly tolerance: Required<Tolerance>;
}

function unravel(flatIndex: number, shape: readonly number[]): number[] {
  const index = new Array<number>(shape.length).fill(0);
  let rest = flatIndex;
  for (let axis = shape.length - 1; axis >= 0; axis--) {
    const size = shape[axis] ?? 1;
    index[axis] = rest % size;
    rest = Math.floor(rest / size);
  }
  return index;
}

const sameShape = (a: readonly number[], b: readonly number[]): boolean =>
  a.length === b.length && a.every((size, axis) => size === b[axis]);

/**
 * Compares two tensors (or value arrays) element by element and reports the worst element. NaN only matches
 * NaN; infinities must be equal.
 *
 * @example
 * const report = compareCloseness(attribution, reference.attribution, { rtol: 1e-4, atol: 1e-6 });
 * if (!report.pass) console.log(formatClosenessReport(report));
 */
export function compareCloseness(
  actual: TensorValues,
  expected: TensorValues,
  tolerance: Tolerance = {},
): ClosenessReport {
  const tol = { ...defaultTolerance, ...tolerance };
  const a = readValues(actual);
  const e = readValues(expected);
  const base = { actualShape: a.shape, expectedShape: e.shape, tolerance: tol };
  if (!sameShape(a.shape, e.shape) || a.values.length !== e.values.length) {
    return {
      ...base,
      pass: false,
      shapeMismatch: true,
      mismatches: 0,
      size: a.values.length,
      maxAbsoluteError: NaN,
      worst: undefined,
    };
  }
  let mismatches = 0;
  let maxAbsoluteError = 0;
  let worstFlat = -1;
  let worstScore = -Infinity;
  for (let i = 0; i < e.values.length; i++) {
    const x = a.values[i] ?? NaN;
    const y = e.values[i] ?? NaN;
    const error = Math.abs(x - y);
    const allowed = tol.atol + tol.rtol * Math.abs(y);
    const equalSpecial = (Number.isNaN(x) && Number.isNaN(y)) || x === y;
    const ok = equalSpecial || error <= allowed;
    // A NaN or infinite error is the worst possible; otherwise rank by how far past the tolerance it is.
    const score = equalSpecial ? -Infinity : Number.isFinite(error) ? error - allowed : Infinity;
    if (!ok) mismatches++;
    if (!equalSpecial && Number.isFinite(error)) maxAbsoluteError = Math.max(maxAbsoluteError, error);
    if (!equalSpecial && !Number.isFinite(error)) maxAbsoluteError = Infinity;
    if (score > worstScore) {
      worstScore = score;
      worstFlat = i;
    }
  }
  const worst =
    worstFlat < 0
      ? undefined
      : {
          index: unravel(worstFlat, e.shape),
          actual: a.values[worstFlat] ?? NaN,
          expected: e.values[worstFlat] ?? NaN,
          absoluteError: Math.abs((a.values[worstFlat] ?? NaN) - (e.values[worstFlat] ?? NaN)),
          allowed: tol.atol + tol.rtol * Math.abs(e.values[worstFlat] ?? NaN),
        };
  return {
    ...base,
    pass: mismatches === 0,
    shapeMismatch: false,
    mismatches,
    size: e.values.length,
    maxAbsoluteError,
    worst,
  };
}

/** A readable one-paragraph summary of a {@link ClosenessReport}. */
export function formatClosenessReport(report: ClosenessReport): string {
  const { rtol, atol } = report.tolerance;
  if (report.shapeMismatch) {
    return `shape mismatch: actual [${report.actualShape.join(',')}] vs expected [${report.expectedShape.join(',')}]`;
  }
  const head = `${report.mismatches} of ${report.size} elements outside rtol=${rtol}, atol=${atol}; max |error| ${report.maxAbsoluteError.toExponential(3)}`;
  const w = report.worst;
  if (w === undefined) return head;
  return `${head}; worst at [${w.index.join(',')}]: actual ${w.actual}, expected ${w.expected}, |error| ${w.absoluteError.toExponential(3)} (allowed ${w.allowed.toExponential(3)})`;
}
