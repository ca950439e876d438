// Checks of single option values that many methods share.
import { InvalidValueError } from '@tdhook/core';

/**
 * Checks that an optional flag is a boolean (plain-JS callers can pass anything) and fills its default: the
 * value to keep in the configured options.
 */
export function booleanOption(value: unknown, name: string, where: string, defaultValue: boolean): boolean {
  if (value !== undefined && typeof value !== 'boolean') {
    throw new InvalidValueError({ what: `${name} must be a boolean, got ${JSON.stringify(value)}`, where });
  }
  return value ?? defaultValue;
}
