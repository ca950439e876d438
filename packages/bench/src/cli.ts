// tdhook-bench: runs a benchmark suite and writes its reports (bin/tdhook-bench.js imports this, built).
// Progress goes to stderr, one line per process; errors are one line and exit code 1.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { helpText, parseCliOptions, type CliOptions } from './cli-options.js';
import type { Footprint } from './footprint/types.js';
import { measureFootprint } from './footprint/measure-footprint.js';
import { formatDuration } from './report/format.js';
import { writeMarkdownPage, writeReports } from './report/write-reports.js';
import { runSuite } from './run-suite.js';
import type { Suite } from './scenario.js';

class UsageError extends Error {}

const log = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

/** The suite module's URL, checked: it exists and exports an array of scenarios with the ids asked for. */
async function loadSuite(options: CliOptions): Promise<URL> {
  const url =
    options.suite === undefined
      ? new URL('./suite.js', import.meta.url)
      : pathToFileURL(resolve(options.suite));
  const path = fileURLToPath(url);
  if (!existsSync(path)) {
    throw new UsageError(
      options.suite === undefined
        ? `tdhook's suite is not built (${path}): run the build first`
        : `no suite module at ${path}`,
    );
  }
  let suite: unknown;
  try {
    suite = ((await import(url.href)) as { suite?: unknown }).suite;
  } catch (error) {
    throw new UsageError(
      `the suite ${path} failed to load: ${(error instanceof Error ? error.message : String(error)).split('\n')[0] ?? ''}`,
    );
  }
  if (!Array.isArray(suite) || !suite.every((s: unknown) => typeof (s as { id?: unknown }).id === 'string')) {
    throw new UsageError(`${path} does not export a suite: it must export 'suite', an array of scenarios`);
  }
  const ids = (suite as Suite).map((scenario) => scenario.id);
  const unknown = options.only?.filter((id) => !ids.includes(id)) ?? [];
  if (unknown.length > 0) {
    throw new UsageError(
      `no scenario ${unknown.map((id) => `'${id}'`).join(', ')} in the suite (it has: ${ids.join(', ') || 'none'})`,
    );
  }
  return url;
}

async function checkBackend(backend: string | undefined): Promise<void> {
  if (backend === undefined) return;
  const { backendNames } = await import('@tdhook/backend');
  if (!(backendNames as readonly string[]).includes(backend)) {
    throw new UsageError(`unknown backend '${backend}' (one of: ${backendNames.join(', ')})`);
  }
}

async function main(argv: readonly string[]): Promise<number> {
  const options = parseCliOptions(argv);
  if (options.help) {
    process.stdout.write(helpText);
    return 0;
  }
  const suite = await loadSuite(options);
  await checkBackend(options.backend);

  const started = performance.now();
  let last: { label: string; at: number } | undefined;
  const result = await runSuite({
    suite,
    preset: options.quick ? 'quick' : 'full',
    ...(options.only === undefined ? {} : { only: options.only }),
    ...(options.backend === undefined ? {} : { backend: options.backend }),
    onProgress: ({ done, total, label }) => {
      const now = performance.now();
      if (done === 0)
        log(`tdhook-bench: ${String(total)} processes, preset ${options.quick ? 'quick' : 'full'}`);
      if (last !== undefined)
        log(`[${String(done)}/${String(total)}] ${last.label} ${formatDuration(now - last.at)}`);
      last = { label, at: now };
    },
  });
  log(`tdhook-bench: suite done in ${formatDuration(performance.now() - started)}`);

  let footprint: Footprint | undefined;
  if (options.footprint) footprint = await measureFootprint({ onProgress: log });
  const extra = footprint === undefined ? {} : { footprint };
  const written = writeReports(result, options.out, extra);
  log(`tdhook-bench: wrote ${written.summary}, ${written.json} and ${String(written.charts.length)} charts`);
  if (options.docs !== undefined && options.quick) {
    log(`tdhook-bench: ${options.docs} left as it is: --docs writes full runs only, not --quick ones`);
  } else if (options.docs !== undefined) {
    const page = writeMarkdownPage(result, options.docs, { ...extra, title: 'Benchmarks' });
    log(`tdhook-bench: wrote ${page.markdown} and its charts in ${page.charts}`);
  }

  // A failed variant is a result (a backend without a kernel, say): reported, and the run still succeeds.
  const failed = result.measurements.filter((m) => m.error !== undefined);
  for (const m of failed) {
    log(`tdhook-bench: failed: ${m.scenario} ${m.variant} ${JSON.stringify(m.params)}: ${m.error ?? ''}`);
  }
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    log(`tdhook-bench: ${message.split('\n')[0] ?? message}`);
    process.exitCode = 1;
  },
);
