import { InvalidValueError } from '../errors.js';

/**
 * Formats a shape the way TensorDict messages and printouts show it: `[2,16]`, `[]` for a scalar.
 *
 * @example
 * formatShape([2, 16]); // '[2,16]'
 */
export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(',')}]`;
}

/**
 * True if both shapes have the same dims. With `ignoreAxis`, that one dim may differ (concatenation).
 *
 * @example
 * sameShape([2, 3], [2, 3]);    // true
 * sameShape([2, 3], [5, 3], 0); // true
 */
export function sameShape(a: readonly number[], b: readonly number[], ignoreAxis?: number): boolean {
  return a.length === b.length && a.every((size, axis) => axis === ignoreAxis || size === b[axis]);
}

/**
 * True if `shape` begins with the dims of `prefix` (the batch-shape rule of a TensorDict).
 *
 * @example
 * shapeStartsWith([2, 16], [2]); // true
 * shapeStartsWith([16], [2]);    // false
 */
export function shapeStartsWith(shape: readonly number[], prefix: readonly number[]): boolean {
  return prefix.length <= shape.length && prefix.every((size, axis) => size === shape[axis]);
}

/**
 * The number of elements of a shape (1 for `[]`).
 *
 * @example
 * shapeSize([2, 3]); // 6
 */
export function shapeSize(shape: readonly number[]): number {
  return shape.reduce((product, size) => product * size, 1);
}

function describe(value: unknown): string {
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return 'an array';
  return value === null ? 'null' : typeof value;
}

/**
 * Checks that `value` is an integer (a safe one) and returns it; throws {@link InvalidValueError} otherwise.
 *
 * @example
 * checkInteger(2, 'index(i)', 'i'); // 2
 */
export function checkInteger(value: unknown, where: string, what: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    throw new InvalidValueError({
      what: `${what} must be an integer, got ${describe(value)}`,
      where,
      fix: `Pass a whole number for ${what}.`,
    });
  }
  return value;
}

/**
 * Checks a batch shape (an array of non-negative integers) and returns a frozen copy of it.
 *
 * @example
 * checkBatchShape([2, 3], 'new TensorDict()'); // [2, 3], frozen
 */
export function checkBatchShape(value: unknown, where: string): readonly number[] {
  const ok =
    Array.isArray(value) &&
    value.every((size: unknown) => typeof size === 'number' && Number.isSafeInteger(size) && size >= 0);
  if (!ok) {
    let shown: string;
    try {
      shown = JSON.stringify(value);
    } catch {
      shown = String(value);
    }
    throw new InvalidValueError({
      what: `Invalid batch shape ${shown}: it must be an array of non-negative integers`,
      where,
      fix: 'Pass the leading dims shared by every tensor, e.g. [2] or [] for no batch dims.',
    });
  }
  return Object.freeze([...(value as number[])]);
}

/**
 * Resolves a possibly negative axis against `rank` dims (`-1` is the last) and range-checks it.
 *
 * @example
 * normalizeAxis(-1, 3, 'split()', 'axis', 'batch dims'); // 2
 */
export function normalizeAxis(axis: unknown, rank: number, where: string, what: string, of: string): number {
  const value = checkInteger(axis, where, what);
  if (rank === 0 || value < -rank || value >= rank) {
    throw new InvalidValueError({
      what:
        rank === 0
          ? `${what} ${value} is out of range: there are no ${of}`
          : `${what} ${value} is out of range for ${rank} ${of}`,
      where,
      fix: rank === 0 ? `Give the TensorDict ${of} first.` : `Use an ${what} from ${-rank} to ${rank - 1}.`,
    });
  }
  return value < 0 ? value + rank : value;
}

/**
 * True if `value` is an array of safe integers, each at least `min`. (A plain boolean, so that it does not
 * narrow the caller's typed array to `any[]`.)
 *
 * @example
 * isIntegerList([2, -1], -1); // true
 */
export function isIntegerList(value: unknown, min: number): boolean {
  return (
    Array.isArray(value) &&
    value.every((size: unknown) => typeof size === 'number' && Number.isSafeInteger(size) && size >= min)
  );
}
