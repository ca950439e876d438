// Checks shared by the concept helpers (RelMax, the selection operator, the channel gradient).
import { InvalidValueError } from '@tdhook/core';

/** A value as written in an error message. */
export function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  const plain =
    typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined;
  return plain ? String(value) : typeof value;
}

/** `'positive'` (default) or `'negative'`, as the sign ±1. */
export function checkDirectionName(value: unknown, where: string): 1 | -1 {
  if (value === undefined || value === 'positive') return 1;
  if (value === 'negative') return -1;
  throw new InvalidValueError({
    what: `direction must be 'positive' or 'negative', got ${show(value)}`,
    where,
    fix: "Use 'positive' (the channel most relevant for the concept) or 'negative' (least relevant).",
  });
}

/** An integer axis option (negative counts from the end). */
export function checkAxisOption(value: unknown, name: string, where: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    throw new InvalidValueError({
      what: `${name} must be an integer axis, got ${show(value)}`,
      where,
      fix: `E.g. ${name}: -1 (channels last, TF.js layout) or 1 (channels first).`,
    });
  }
  return value;
}

/** `axis` of a rank-`rank` tensor as a non-negative index, or undefined when out of range. */
export function resolveAxis(axis: number, rank: number): number | undefined {
  const resolved = axis < 0 ? rank + axis : axis;
  return resolved >= 0 && resolved < rank ? resolved : undefined;
}
