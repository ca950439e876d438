import { InvalidValueError } from '@tdhook/core';

/** The corridor length, checked: an integer of at least 2 cells. */
export function checkCorridorLength(length: unknown, where: string): number {
  if (typeof length !== 'number' || !Number.isInteger(length) || length < 2) {
    throw new InvalidValueError({
      what: `The corridor length must be an integer ≥ 2, got ${String(length)}`,
      where,
      fix: 'Pass 9 (the tutorial corridor) or leave it out.',
    });
  }
  return length;
}
