// Correlations between two grids of numbers (an estimate against activation patching), in float64.
import { InvalidValueError, ShapeMismatchError } from '@tdhook/core';

function checkPair(x: ArrayLike<number>, y: ArrayLike<number>, where: string): void {
  if (x.length !== y.length) {
    throw new ShapeMismatchError({
      what: `x has ${x.length} values and y has ${y.length}`,
      where,
      fix: 'Pass two arrays of the same length, one value per site (e.g. two LabelledGrid values).',
    });
  }
  if (x.length < 2) {
    throw new InvalidValueError({
      what: `A correlation needs at least 2 pairs, got ${x.length}`,
      where,
      fix: 'Pass more sites.',
    });
  }
  for (let i = 0; i < x.length; i++) {
    if (!Number.isFinite(x[i]) || !Number.isFinite(y[i])) {
      throw new InvalidValueError({
        what: `Pair ${i} is (${x[i]}, ${y[i]}), not two finite numbers`,
        where,
        fix: 'Remove or fix the non-finite values first.',
      });
    }
  }
}

function pearsonOf(x: ArrayLike<number>, y: ArrayLike<number>): number {
  const n = x.length;
  let meanX = 0;
  let meanY = 0;
  for (let i = 0; i < n; i++) {
    meanX += x[i] ?? 0;
    meanY += y[i] ?? 0;
  }
  meanX /= n;
  meanY /= n;
  // Centred sums (two passes): the one-pass formula loses digits when the means are large.
  let xy = 0;
  let xx = 0;
  let yy = 0;
  for (let i = 0; i < n; i++) {
    const dx = (x[i] ?? 0) - meanX;
    const dy = (y[i] ?? 0) - meanY;
    xy += dx * dy;
    xx += dx * dx;
    yy += dy * dy;
  }
  // A constant input has no correlation (scipy returns NaN too).
  if (xx === 0 || yy === 0) return Number.NaN;
  return Math.max(-1, Math.min(1, xy / Math.sqrt(xx * yy)));
}

/**
 * The ranks of `values` from 1, tied values sharing the mean of their ranks (scipy's `rankdata`, method
 * `'average'`).
 */
function averageRanks(values: ArrayLike<number>): Float64Array {
  const order = Array.from({ length: values.length }, (_, index) => index).sort(
    (a, b) => (values[a] ?? 0) - (values[b] ?? 0),
  );
  const ranks = new Float64Array(values.length);
  for (let start = 0; start < order.length;) {
    let end = start + 1;
    while (end < order.length && values[order[end] ?? 0] === values[order[start] ?? 0]) end++;
    // Positions start … end − 1 (0-based) hold one value: each gets the mean rank (start + 1 + end) / 2.
    const rank = (start + 1 + end) / 2;
    for (let k = start; k < end; k++) ranks[order[k] ?? 0] = rank;
    start = end;
  }
  return ranks;
}

/**
 * Pearson's correlation coefficient of two equally long arrays, in float64: how well a straight line relates
 * them (1: exactly, increasing). `NaN` when either array is constant, as scipy's `pearsonr`. Fewer than two
 * pairs, different lengths or non-finite values are typed errors.
 *
 * @example
 * import { pearson } from '@tdhook/intervention';
 * pearson([1, 2, 3, 4], [2, 4, 5, 9]); // 0.9648…
 * pearson(atpGrid.values, patchingGrid.values); // how well AtP predicts activation patching, linearly
 */
export function pearson(x: ArrayLike<number>, y: ArrayLike<number>): number {
  checkPair(x, y, 'pearson');
  return pearsonOf(x, y);
}

/**
 * Spearman's rank correlation of two equally long arrays: Pearson's correlation of their ranks (ties get the
 * mean of their ranks), as scipy's `spearmanr`. 1 when one orders the sites exactly as the other, whatever
 * the scale. `NaN` when either array is constant.
 *
 * @example
 * import { spearman } from '@tdhook/intervention';
 * spearman([1, 2, 3, 4], [1, 4, 9, 16]); // 1
 * spearman(relpGrid.values, patchingGrid.values); // does RelP rank the sites as patching does?
 */
export function spearman(x: ArrayLike<number>, y: ArrayLike<number>): number {
  checkPair(x, y, 'spearman');
  return pearsonOf(averageRanks(x), averageRanks(y));
}
