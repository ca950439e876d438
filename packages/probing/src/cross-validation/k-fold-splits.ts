import { InvalidValueError } from '@tdhook/core';
import { seededRandom } from '@tdhook/core/plugin';

/**
 * One fold: the rows to fit on and the rows to score, both ascending.
 *
 * @example
 * const split: FoldSplit = { train: [0, 2, 4], test: [1, 3] };
 */
export interface FoldSplit {
  readonly train: readonly number[];
  readonly test: readonly number[];
}

/**
 * Options of {@link kFoldSplits}.
 *
 * @example
 * const options: KFoldOptions = { folds: 10, shuffle: true, seed: 7 };
 */
export interface KFoldOptions {
  /** The number of folds, 2 ≤ folds ≤ n. Default `5`. */
  readonly folds?: number;
  /** Shuffle the rows before cutting them into folds. Default `false` (contiguous folds, as scikit-learn's KFold). */
  readonly shuffle?: boolean;
  /** The seed of the shuffle (`seededRandom`, the same on every engine). Default `0`. */
  readonly seed?: number;
}

/**
 * K-fold splits of `n` rows, as scikit-learn's `KFold`: the first n mod k folds get ⌊n/k⌋ + 1 rows, the
 * others ⌊n/k⌋. With `shuffle`, a seeded Fisher–Yates permutation decides which rows go together (not
 * scikit-learn's numpy permutation). Every row is in exactly one test fold.
 *
 * @example
 * const splits = kFoldSplits(10, { folds: 5, shuffle: true, seed: 1 });
 * splits[0]?.test; // two row indices, ascending
 */
export function kFoldSplits(n: number, options: KFoldOptions = {}): FoldSplit[] {
  const folds = options.folds ?? 5;
  if (!Number.isInteger(n) || n < 0) {
    throw new InvalidValueError({
      what: `n must be a non-negative integer, got ${String(n)}`,
      where: 'kFoldSplits(n)',
    });
  }
  if (!Number.isInteger(folds) || folds < 2 || folds > n) {
    throw new InvalidValueError({
      what: `Cannot have number of splits folds=${String(folds)} greater than the number of samples: n_samples=${n}, or fewer than 2`,
      where: 'kFoldSplits options.folds',
      fix: 'Use 2 ≤ folds ≤ n.',
    });
  }
  const order = Array.from({ length: n }, (_, i) => i);
  if (options.shuffle ?? false) {
    const random = seededRandom(options.seed ?? 0);
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [order[i], order[j]] = [order[j] ?? 0, order[i] ?? 0];
    }
  }
  const splits: FoldSplit[] = [];
  let start = 0;
  for (let fold = 0; fold < folds; fold++) {
    const size = Math.floor(n / folds) + (fold < n % folds ? 1 : 0);
    const test = order.slice(start, start + size).sort((a, b) => a - b);
    start += size;
    splits.push(foldFromTest(n, test));
  }
  return splits;
}

/**
 * The split whose test rows are `test` (ascending or not) and whose training rows are all the others, ascending.
 *
 * @example
 * foldFromTest(5, [1, 3]); // { train: [0, 2, 4], test: [1, 3] }
 */
export function foldFromTest(n: number, test: readonly number[]): FoldSplit {
  const inTest = new Uint8Array(n);
  for (const index of test) inTest[index] = 1;
  const train: number[] = [];
  for (let i = 0; i < n; i++) if (inTest[i] === 0) train.push(i);
  return { train, test: [...test].sort((a, b) => a - b) };
}
