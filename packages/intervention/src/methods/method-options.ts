import { InvalidValueError, toKeyPath, type Key, type KeyPath } from '@tdhook/core';

/**
 * An `InvalidValueError` for an options argument that is not an object, or that has an option the method does
 * not know; the original's snake_case names get a hint to their counterpart here.
 *
 * @example
 * checkOptionNames(options, ['modules', 'steer'], { steer_fn: 'Use steer.' }, 'intervention/steering-vectors');
 */
export function checkOptionNames(
  options: unknown,
  known: readonly string[],
  renamed: Readonly<Record<string, string>>,
  where: string,
): void {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new InvalidValueError({
      what: `${where} takes an options object`,
      where,
      fix: `Pass { ${known.join(', ')} }.`,
    });
  }
  for (const name of Object.keys(options)) {
    if (!known.includes(name)) {
      throw new InvalidValueError({
        what: `${where} has no option ${JSON.stringify(name)}`,
        where,
        fix: renamed[name] ?? `Options: ${known.join(', ')}.`,
      });
    }
  }
}

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
