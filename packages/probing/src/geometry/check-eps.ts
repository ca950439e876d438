import { InvalidValueError } from '@tdhook/core';

/**
 * Checks the duplicate threshold `eps` (a finite number ≥ 0; distances ≤ eps are not neighbours).
 *
 * @example
 * const eps = checkEps(options.eps ?? 1e-5, 'twoNn');
 */
export function checkEps(eps: unknown, where: string): number {
  if (typeof eps !== 'number' || !Number.isFinite(eps) || eps < 0) {
    throw new InvalidValueError({
      what: `eps must be a finite number ≥ 0, got ${String(eps)}`,
      where: `${where}, option eps`,
      fix: 'Distances ≤ eps count as duplicates; the default is 1e-5.',
    });
  }
  return eps;
}
