import { InvalidValueError } from '@tdhook/core';

/**
 * How many neighbours a per-point estimator uses: a whole number, or `'auto'` =
 * `max(2, min(floor(√N), floor((N − 1) / 2)))`, resolved per call from N.
 *
 * @example
 * const k: NeighbourCount = 'auto';
 */
export type NeighbourCount = number | 'auto';

/**
 * Checks `k` as the original's constructors do: an integer or `'auto'` (else the TypeError text "k must be an
 * int or 'auto'"), and at least `minimum` (else "k must be greater than 1" / "k must be at least 1").
 *
 * @example
 * checkNeighbourCount(5, 2, 'localKnn'); // ok
 * checkNeighbourCount(1, 2, 'localKnn'); // throws "k must be greater than 1"
 */
export function checkNeighbourCount(k: unknown, minimum: 1 | 2, where: string): NeighbourCount {
  if (k === 'auto') return k;
  if (typeof k !== 'number' || !Number.isInteger(k)) {
    throw new InvalidValueError({
      what: `k must be an int or 'auto', got ${typeof k === 'string' ? `'${k}'` : String(k)}`,
      where: `${where}, option k`,
      fix: "Pass a whole number of neighbours, or 'auto'.",
    });
  }
  if (k < minimum) {
    throw new InvalidValueError({
      what: minimum === 2 ? `k must be greater than 1, got ${k}` : `k must be at least 1, got ${k}`,
      where: `${where}, option k`,
      fix: minimum === 2 ? 'The ratio R₂ₖ/Rₖ needs k ≥ 2.' : 'Use k ≥ 1 neighbours.',
    });
  }
  return k;
}

/**
 * Resolves `'auto'` for `n` points: `max(2, min(floor(√n), floor((n − 1) / 2)))`.
 *
 * @example
 * resolveNeighbourCount('auto', 300); // 17
 */
export function resolveNeighbourCount(k: NeighbourCount, n: number): number {
  if (k !== 'auto') return k;
  return Math.max(2, Math.min(Math.floor(Math.sqrt(n)), Math.floor((n - 1) / 2)));
}
