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
