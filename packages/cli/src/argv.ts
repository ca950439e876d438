import { UsageError } from './usage-error.js';

/**
 * Joins `--flag -1` into `--flag=-1` for options that take a value, so that negative numbers read as values
 * (Node's parseArgs takes `-1` for an option and calls the value ambiguous).
 *
 * @example
 * joinNegativeValues(['--baseline', '-1'], new Set(['baseline'])); // ['--baseline=-1']
 */
export function joinNegativeValues(argv: readonly string[], valueOptions: ReadonlySet<string>): string[] {
  const joined: string[] = [];
  for (let index = 0; index < argv.length; index++) {
    const argument = argv[index] as string;
    const next = argv[index + 1];
    const name = argument.startsWith('--') && !argument.includes('=') ? argument.slice(2) : undefined;
    if (
      name !== undefined &&
      valueOptions.has(name) &&
      next !== undefined &&
      /^-(\d|\.\d|Infinity)/.test(next)
    ) {
      joined.push(`${argument}=${next}`);
      index++;
    } else {
      joined.push(argument);
    }
  }
  return joined;
}

/**
 * The names of the options in a `parseArgs` options table that take a value (for {@link joinNegativeValues}).
 *
 * @example
 * valueOptionNames({ out: { type: 'string' }, quiet: { type: 'boolean' } }); // Set { 'out' }
 */
export function valueOptionNames(options: Readonly<Record<string, { type: string }>>): ReadonlySet<string> {
  return new Set(
    Object.entries(options).flatMap(([name, option]) => (option.type === 'string' ? [name] : [])),
  );
}

/**
 * A count flag's value as a whole number from 1 to `most` (undefined when not given); throws a
 * {@link UsageError} that names `limit` (whose limit `most` is) when it is above.
 *
 * @example
 * wholeNumberArg('64', '--steps', 1000, "tdhook explain's limit"); // 64
 */
export function wholeNumberArg(
  value: string | undefined,
  flag: '--steps' | '--samples',
  most: number,
  limit: string,
): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isSafeInteger(number) || number < 1 || number > most) {
    // Each step or sample is one backward pass.
    const why = number > most ? ` (${most} is ${limit}: each ${flag.slice(2, -1)} is a backward pass)` : '';
    throw new UsageError(`${flag} must be a whole number from 1 to ${most}, got '${value}'${why}`);
  }
  return number;
}
