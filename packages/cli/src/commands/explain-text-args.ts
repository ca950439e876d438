import { parseArgs } from 'node:util';

import { tokenAttributionMethods, type TokenAttributionMethod } from '@tdhook/adapter-nlp';

import { joinNegativeValues, valueOptionNames, wholeNumberArg } from '../argv.js';
import { explainLimits } from '../limits.js';
import { UsageError } from '../usage-error.js';
import { defaultOut } from './explain-args.js';

const options = {
  model: { type: 'string' },
  text: { type: 'string' },
  method: { type: 'string', multiple: true },
  target: { type: 'string' },
  versus: { type: 'string' },
  position: { type: 'string' },
  baseline: { type: 'string' },
  steps: { type: 'string' },
  out: { type: 'string', default: defaultOut },
  attention: { type: 'boolean', default: false },
  color: { type: 'string' },
  backend: { type: 'string' },
  quiet: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

const valueOptions = valueOptionNames(options);

/** `--color`'s values: `auto` follows the terminal (NO_COLOR, FORCE_COLOR, a pipe). */
export const colorChoices = ['auto', 'truecolor', '256', 'never'] as const;

/**
 * `tdhook explain-text`'s command line, checked as far as it can be without the model and tokenizer.
 *
 * @example
 * const args = parseExplainTextArgs(['--model', 'm', '--text', 'hello', '--method', 'ig']);
 */
export interface ExplainTextArgs {
  readonly model: string;
  readonly text: string;
  readonly methods: readonly TokenAttributionMethod[];
  /** `argmax` (the predicted token), a token's text, or `id:<n>`. */
  readonly target: string;
  readonly versus: string | undefined;
  readonly position: number | undefined;
  /** `zeros`, `pad`, a token's text or `id:<n>`. */
  readonly baseline: string | undefined;
  readonly steps: number | undefined;
  readonly out: string;
  readonly attention: boolean;
  readonly color: (typeof colorChoices)[number];
  readonly backend: string | undefined;
  readonly quiet: boolean;
}

function methodsOf(values: readonly string[] | undefined): TokenAttributionMethod[] {
  const names = (values ?? []).flatMap((value) => value.split(',')).map((name) => name.trim());
  if (names.length === 0) throw new UsageError(`--method is required: ${tokenAttributionMethods.join(', ')}`);
  const unknown = names.find((name) => !tokenAttributionMethods.includes(name as TokenAttributionMethod));
  if (unknown !== undefined)
    throw new UsageError(`--method must be one of ${tokenAttributionMethods.join(', ')}, got '${unknown}'`);
  return [...new Set(names as TokenAttributionMethod[])];
}

function positionOf(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const position = Number(value);
  if (!Number.isSafeInteger(position))
    throw new UsageError(`--position must be a whole number (negative counts from the end), got '${value}'`);
  return position;
}

/**
 * Parses `tdhook explain-text`'s arguments (`'help'` for `--help`) and checks every value it can without
 * the model; throws a {@link UsageError} (exit code 2) for the first problem.
 *
 * @example
 * const args = parseExplainTextArgs(process.argv.slice(3));
 */
export function parseExplainTextArgs(argv: readonly string[]): ExplainTextArgs | 'help' {
  const { values } = parseArgs({ args: joinNegativeValues(argv, valueOptions), options, strict: true });
  if (values.help) return 'help';
  if (values.model === undefined) throw new UsageError('--model <folder or built-in name> is required');
  if (values.text === undefined) throw new UsageError('--text "<text>" is required');
  if (values.text === '') throw new UsageError('--text is empty: give the text to explain');
  const methods = methodsOf(values.method);
  const steps = wholeNumberArg(values.steps, '--steps', explainLimits.steps, 'the limit');
  if (!methods.includes('ig') && (steps !== undefined || values.baseline !== undefined))
    throw new UsageError(
      `--${steps !== undefined ? 'steps' : 'baseline'} is an option of ig, not of ${methods.join(', ')}`,
    );
  const color = values.color ?? 'auto';
  if (!(colorChoices as readonly string[]).includes(color))
    throw new UsageError(`--color must be one of ${colorChoices.join(', ')}, got '${color}'`);
  return {
    model: values.model,
    text: values.text,
    methods,
    target: values.target ?? 'argmax',
    versus: values.versus,
    position: positionOf(values.position),
    baseline: values.baseline,
    steps,
    out: values.out,
    attention: values.attention,
    color: color as (typeof colorChoices)[number],
    backend: values.backend,
    quiet: values.quiet,
  };
}
