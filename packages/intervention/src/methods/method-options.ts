import { InvalidValueError, toKeyPath, type Key, type KeyPath } from '@tdhook/core';

/** A TensorDict key option, or its default. */
export function keyOption(value: Key | undefined, fallback: string, option: string, where: string): KeyPath {
  return toKeyPath(value ?? fallback, `${where} ${option}`);
}

/** An `InvalidValueError` unless `value` is a function (or absent, when `optional`); `example` shows one. */
export function checkCallback(
  value: unknown,
  option: string,
  where: string,
  { optional, example }: { readonly optional: boolean; readonly example: string },
): void {
  if (value === undefined && optional) return;
  if (typeof value !== 'function') {
    throw new InvalidValueError({
      what: `${option} must be a function, got ${value === null ? 'null' : typeof value}`,
      where: `${where} ${option}`,
      fix: `E.g. ${example}.`,
    });
  }
}
