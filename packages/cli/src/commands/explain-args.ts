import { parseArgs } from 'node:util';

import {
  normalisations,
  visionMethodId,
  visionMethodNames,
  type ImageFit,
  type NormalisationName,
  type VisionMethodName,
} from '@tdhook/adapter-cv';
import { lrpComposites, type LrpCompositeName } from '@tdhook/attribution';
import type { MethodRegistry } from '@tdhook/core';

import { joinNegativeValues, valueOptionNames, wholeNumberArg } from '../argv.js';
import { explainLimits } from '../limits.js';
import { UsageError } from '../usage-error.js';

// The composites @tdhook/attribution names, read from it so that the list cannot drift.
export const composites = Object.keys(lrpComposites) as readonly LrpCompositeName[];
const fits: readonly ImageFit[] = ['stretch', 'cover', 'contain'];

/** Where `tdhook explain` writes without `--out`. */
export const defaultOut = 'tdhook-output';

const options = {
  model: { type: 'string' },
  input: { type: 'string', multiple: true },
  method: { type: 'string' },
  plugin: { type: 'string', multiple: true },
  options: { type: 'string' },
  target: { type: 'string' },
  out: { type: 'string', default: defaultOut },
  layer: { type: 'string' },
  steps: { type: 'string' },
  baseline: { type: 'string' },
  samples: { type: 'string' },
  composite: { type: 'string' },
  normalise: { type: 'string' },
  fit: { type: 'string' },
  labels: { type: 'string' },
  backend: { type: 'string' },
  quiet: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

const valueOptions = valueOptionNames(options);

/** The built-in method each method-specific flag belongs to. */
const flagMethods: Readonly<
  Record<'layer' | 'steps' | 'baseline' | 'samples' | 'composite', VisionMethodName>
> = {
  layer: 'gradcam',
  steps: 'ig',
  baseline: 'ig',
  samples: 'smoothgrad',
  composite: 'lrp',
};

/**
 * `tdhook explain`'s command line, checked as far as it can be without the model.
 *
 * @example
 * const args = parseExplainArgs(['--model', 'm', '--input', 'a.png', '--method', 'ig']);
 */
export interface ExplainArgs {
  readonly model: string;
  readonly inputs: readonly string[];
  readonly method: string;
  readonly plugins: readonly string[];
  readonly methodOptions: Readonly<Record<string, unknown>>;
  readonly target: string | undefined;
  readonly out: string;
  readonly layer: string | undefined;
  readonly steps: number | undefined;
  readonly baseline: number | undefined;
  readonly samples: number | undefined;
  readonly composite: LrpCompositeName | undefined;
  readonly normalise: NormalisationName | undefined;
  readonly fit: ImageFit | undefined;
  readonly labels: readonly string[] | undefined;
  readonly backend: string | undefined;
  readonly quiet: boolean;
}

/** What one step or sample costs, for the limit messages. */
const passNoun = { steps: 'step', samples: 'sample' } as const;
const explainLimit = "tdhook explain's limit";

function oneOf<T extends string>(
  value: string | undefined,
  allowed: readonly T[],
  flag: string,
): T | undefined {
  if (value === undefined) return undefined;
  if (!allowed.includes(value as T))
    throw new UsageError(`${flag} must be one of ${allowed.join(', ')}, got '${value}'`);
  return value as T;
}

function methodOptionsOf(text: string | undefined): Record<string, unknown> {
  if (text === undefined) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new UsageError(
      `--options is not valid JSON (${(error as Error).message}); give an object, e.g. --options '{"steps":64}'`,
    );
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new UsageError(`--options must be a JSON object, e.g. '{"steps":64}', got ${text}`);
  }
  const record = parsed as Record<string, unknown>;
  // explainImages refuses it too; said here in the command line's terms.
  if (Object.hasOwn(record, 'target')) {
    throw new UsageError(
      `--options cannot set target: give the class to explain with --target (argmax, a class index or a label)`,
    );
  }
  // The same bounds as --steps and --samples, whichever way the counts come.
  for (const name of ['steps', 'samples'] as const) {
    const value = record[name];
    if (typeof value === 'number' && value > explainLimits[name]) {
      throw new UsageError(
        `--options ${name} ${value} is above tdhook explain's limit of ${explainLimits[name]} (each ${passNoun[name]} is a backward pass)`,
      );
    }
  }
  return record;
}

/**
 * Parses `tdhook explain`'s arguments and checks every value that can be checked without the model or the
 * plugins (`'help'` for `--help`); throws a {@link UsageError} (exit code 2) for the first problem.
 *
 * @example
 * const args = parseExplainArgs(process.argv.slice(3));
 */
export function parseExplainArgs(argv: readonly string[]): ExplainArgs | 'help' {
  const { values, positionals } = parseArgs({
    args: joinNegativeValues(argv, valueOptions),
    options,
    strict: true,
    // `--input a.png b.png`: the files after --input come as positionals.
    allowPositionals: true,
  });
  if (values.help) return 'help';
  if (values.model === undefined) throw new UsageError('--model <dir> is required');
  const inputs = [...(values.input ?? []), ...positionals];
  if (inputs.length === 0) throw new UsageError('--input <image...> is required');
  if (values.method === undefined)
    throw new UsageError(`--method is required: ${visionMethodNames.join(', ')}, or a plugin method's id`);
  const baseline = values.baseline === undefined ? undefined : Number(values.baseline);
  if (baseline !== undefined && !Number.isFinite(baseline))
    throw new UsageError(`--baseline must be a number, got '${values.baseline}'`);
  const labels = values.labels?.split(',').map((label) => label.trim());
  return {
    quiet: values.quiet,
    model: values.model,
    inputs,
    method: values.method,
    plugins: values.plugin ?? [],
    methodOptions: methodOptionsOf(values.options),
    target: values.target,
    out: values.out,
    layer: values.layer,
    steps: wholeNumberArg(values.steps, '--steps', explainLimits.steps, explainLimit),
    baseline,
    samples: wholeNumberArg(values.samples, '--samples', explainLimits.samples, explainLimit),
    composite: oneOf(values.composite, composites, '--composite'),
    normalise: oneOf(values.normalise, Object.keys(normalisations) as NormalisationName[], '--normalise'),
    fit: oneOf(values.fit, fits, '--fit'),
    labels,
    backend: values.backend,
  };
}

/**
 * Checks `--method` against the registry (built-ins and plugins) and that each method-specific flag belongs
 * to the method that runs; throws a {@link UsageError} otherwise.
 *
 * @example
 * checkMethodArgs(args, registry);
 */
export function checkMethodArgs(args: ExplainArgs, registry: MethodRegistry): void {
  const id = visionMethodId(args.method);
  if (!registry.has(id)) {
    const builtIn = new Set(visionMethodNames.map(visionMethodId));
    const plugged = registry
      .list()
      .filter((listing) => !builtIn.has(listing.id))
      .map((listing) => listing.id);
    const hint =
      plugged.length > 0
        ? `, or a plugin method: ${plugged.join(', ')}`
        : args.method.includes('/')
          ? ' (a plugin method needs --plugin <module>)'
          : '';
    throw new UsageError(
      `--method must be one of ${visionMethodNames.join(', ')}${hint}, got '${args.method}'`,
    );
  }
  const builtIn = visionMethodNames.find((name) => visionMethodId(name) === id);
  for (const [flag, method] of Object.entries(flagMethods)) {
    if (args[flag as keyof typeof flagMethods] === undefined || builtIn === method) continue;
    throw new UsageError(
      builtIn === undefined
        ? `--${flag} is an option of ${method}; give ${args.method}'s own options with --options '<json>'`
        : `--${flag} is an option of ${method}, not of ${builtIn}`,
    );
  }
}
