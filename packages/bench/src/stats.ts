/**
 * The median and spread of a sample of times.
 *
 * @example
 * const stats: Spread = summarise([3.1, 2.9, 3.4]); // { median: 3.1, p10: 2.9, p90: 3.4, runs: 3 }
 */
export interface Spread {
  readonly median: number;
  /** 10th and 90th percentiles (nearest rank). */
  readonly p10: number;
  readonly p90: number;
  readonly runs: number;
}

const nearestRank = (sorted: readonly number[], fraction: number): number =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1))] ?? NaN;

/**
 * Median and 10th/90th percentiles of `values` (NaN for an empty sample).
 *
 * @example
 * summarise([5, 1, 3]).median; // 3
 */
export function summarise(values: readonly number[]): Spread {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length / 2;
  const median =
    sorted.length === 0
      ? NaN
      : sorted.length % 2 === 1
        ? (sorted[Math.floor(middle)] ?? NaN)
        : ((sorted[middle - 1] ?? NaN) + (sorted[middle] ?? NaN)) / 2;
  return { median, p10: nearestRank(sorted, 0.1), p90: nearestRank(sorted, 0.9), runs: sorted.length };
}
