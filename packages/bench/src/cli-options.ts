// tdhook-bench's command line: its options, parsed with node:util, and its help.
import { parseArgs } from 'node:util';

export interface CliOptions {
  readonly help: boolean;
  readonly quick: boolean;
  readonly only: readonly string[] | undefined;
  readonly backend: string | undefined;
  readonly suite: string | undefined;
  readonly out: string;
  readonly footprint: boolean;
  readonly docs: string | undefined;
}

export const helpText = `tdhook-bench: measures benchmark scenarios, each variant at each grid point in a fresh Node process
(spawn and run timed apart, with peak RSS and TF.js tensor memory), compares every variant with the
scenario's plain TF.js baseline, and writes JSON, markdown and SVG reports.

Usage: tdhook-bench [options]

Options:
  --quick            small grids and few runs: a smoke test in minutes, not numbers to quote
  --only <ids>       only these scenarios, comma-separated ids (default: all of the suite)
  --backend <name>   the TF.js backend of every process: tensorflow-gpu, tensorflow, wasm, cpu, webgpu
                     (default: what @tdhook/backend chooses, the fastest one installed)
  --suite <module>   path of a built ES module exporting 'suite', an array of scenarios
                     (default: tdhook's own suite)
  --out <dir>        the reports' folder (default: bench-results): results.json, summary.md,
                     charts/<scenario>-<metric>.svg and charts/<scenario>-speedup.svg
  --footprint        also measure the packed and installed size and the cold import time of this
                     checkout's @tdhook packages, next to @tensorflow/tfjs and tfjs-node from the npm
                     registry (into results.json and summary.md)
  --docs <file>      also write the summary to this markdown file, its charts in a folder beside it
                     (docs/benchmarks.md: charts in docs/benchmarks/); full runs only: with --quick
                     the page is left as it is
  -h, --help         this help

Examples:
  tdhook-bench --quick
  tdhook-bench --only ig-multi-target,lrp --backend wasm --out ig-results
  tdhook-bench --suite ./dist/bench-suite.js      a plugin's own scenarios (see the package README)

Exit code 1 on a bad option or suite, 0 otherwise: a variant that fails at a grid point is part of the
result (its error is in the reports and on stderr), and the other measurements go on.
`;

/** One line for a parseArgs error: which option, and where to look. */
function explain(error: unknown): string {
  const code = (error as { code?: string }).code;
  const message = error instanceof Error ? error.message : String(error);
  const option = /'([^']+)'/.exec(message)?.[1] ?? '';
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return `unknown option '${option}' (see --help)`;
  if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL')
    return `unexpected argument '${option}': options only (see --help)`;
  return `${message.split('\n')[0] ?? message} (see --help)`;
}

/** The options of `argv` (the arguments after the command); throws an Error whose message is one line. */
export function parseCliOptions(argv: readonly string[]): CliOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        help: { type: 'boolean', short: 'h', default: false },
        quick: { type: 'boolean', default: false },
        only: { type: 'string' },
        backend: { type: 'string' },
        suite: { type: 'string' },
        out: { type: 'string', default: 'bench-results' },
        footprint: { type: 'boolean', default: false },
        docs: { type: 'string' },
      },
    }));
  } catch (error) {
    throw new Error(explain(error));
  }
  const only = values.only
    ?.split(',')
    .map((id) => id.trim())
    .filter((id) => id !== '');
  if (only?.length === 0) throw new Error('--only needs at least one scenario id');
  for (const [name, value] of Object.entries({ out: values.out, docs: values.docs, suite: values.suite })) {
    if (value === '') throw new Error(`--${name} needs a path`);
  }
  return {
    help: values.help,
    quick: values.quick,
    only,
    backend: values.backend,
    suite: values.suite,
    out: values.out,
    footprint: values.footprint,
    docs: values.docs,
  };
}
