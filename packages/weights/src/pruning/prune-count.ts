import { InvalidValueError } from '@tdhook/core';

// Python's round(): halves go to the even neighbour, as torch.nn.utils.prune counts round(amount · size).
function roundHalfEven(value: number): number {
  const floor = Math.floor(value);
  const difference = value - floor;
  if (difference > 0.5) return floor + 1;
  if (difference < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

/**
 * Checks an `amount` option: a fraction in [0, 1], or an integer count above 1.
 *
 * @example
 * checkAmount(0.2, 'weights/pruning amount'); // fine
 */
export function checkAmount(amount: unknown, where: string): asserts amount is number {
  const valid =
    typeof amount === 'number' &&
    Number.isFinite(amount) &&
    amount >= 0 &&
    (amount <= 1 || Number.isInteger(amount));
  if (!valid) {
    throw new InvalidValueError({
      what: `amount must be a fraction in [0, 1] or an integer count above 1, got ${String(amount)}`,
      where,
      fix: 'Pass e.g. amount: 0.2 (a fifth of the entries) or amount: 50 (fifty entries).',
    });
  }
}

/**
 * How many of `size` entries (or units) an amount prunes: `round(amount · size)` for a fraction (halves to
 * even, as torch's pruning), the count itself for an integer above 1; a count above `size` is an error.
 *
 * @example
 * pruneCount(0.2, 110, 'amount'); // 22
 */
export function pruneCount(amount: number, size: number, where: string): number {
  if (amount <= 1) return roundHalfEven(amount * size);
  if (amount > size) {
    throw new InvalidValueError({
      what: `amount ${amount} is more than the ${size} entries there are to prune`,
      where,
      fix: `Prune at most ${size}, or give a fraction in [0, 1].`,
    });
  }
  return amount;
}

/**
 * The positions of the `count` smallest scores, ties broken by position (the earlier goes first), as a mask
 * (1 = pruned). Scores are compared as given (non-negative, finite).
 *
 * @example
 * smallestMask(Float32Array.of(3, 1, 1, 2), 2); // [0, 1, 1, 0]
 */
export function smallestMask(scores: Float32Array | Float64Array, count: number): Uint8Array {
  const mask = new Uint8Array(scores.length);
  if (count <= 0) return mask;
  // The count-th smallest score: everything below it goes, then equal ones in order until count is reached.
  const threshold = scores.slice().sort()[count - 1] ?? Infinity;
  let left = count;
  for (let index = 0; index < scores.length; index += 1) {
    if ((scores[index] ?? 0) < threshold) {
      mask[index] = 1;
      left -= 1;
    }
  }
  for (let index = 0; index < scores.length && left > 0; index += 1) {
    if (scores[index] === threshold) {
      mask[index] = 1;
      left -= 1;
    }
  }
  return mask;
}
