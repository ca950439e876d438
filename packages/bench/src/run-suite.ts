import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';

import { describeMachine } from './machine.js';
import type { Comparison, Measurement, SuiteResult } from './measurement.js';
import type { Params, Repetitions, Suite } from './scenario.js';
import type { WorkerJob, WorkerReply } from './worker-protocol.js';

/**
 * Options of {@link runSuite}.
 *
 * @example
 * const options: RunSuiteOptions = { suite: new URL('./suite.js', import.meta.url), preset: 'quick', only: ['ig-multi-target'] };
 */
export interface RunSuiteOptions {
  /** The module that exports `suite`, the {@link Suite} (a file URL or path of built JavaScript). */
  readonly suite: string | URL;
  /** `'quick'` (small grids, few runs: a smoke test) or `'full'` (default). */
  readonly preset?: 'quick' | 'full';
  /** Scenario ids to run. Default: all. */
  readonly only?: readonly string[];
  /** A backend for every worker (`'wasm'`, `'cpu'`, `'tensorflow'`, ...). Default: `initBackend`'s choice. */
  readonly backend?: string;
  /** Called before each measurement: `done` of `total` processes. */
  readonly onProgress?: (event: {
    readonly done: number;
    readonly total: number;
    readonly label: string;
  }) => void;
  /** Kill a worker that takes longer than this. Default 10 minutes. */
  readonly timeoutMs?: number;
}

const defaultRepetitions: { readonly full: Repetitions; readonly quick: Repetitions } = {
  full: { warmup: 2, runs: 10 },
  quick: { warmup: 1, runs: 3 },
};

// Next to this module in dist/; from src/ (tests), the built one.
const builtWorker = new URL('./worker.js', import.meta.url);
const workerUrl = existsSync(builtWorker) ? builtWorker : new URL('../dist/worker.js', import.meta.url);

function runWorker(job: WorkerJob, timeoutMs: number): Promise<WorkerReply> {
  return new Promise((resolve) => {
    // A clean Node: no loaders or flags inherited from the parent (a test runner's, say).
    const child = fork(workerUrl, [], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'], execArgv: [] });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-2000);
    });
    let reply: WorkerReply | undefined;
    const timer = setTimeout(() => {
      reply ??= { ok: false, error: `timed out after ${String(timeoutMs)} ms` };
      child.kill();
    }, timeoutMs);
    child.on('message', (message) => {
      reply = message as WorkerReply;
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve(
        reply ?? {
          ok: false,
          error: `worker exited with code ${String(code)}: ${stderr
            .trim()
            .split('\n')
            .filter((line) => line.trim() !== '')
            .slice(-4)
            .join(' | ')}`,
        },
      );
    });
    child.send(job);
  });
}

function failed(job: WorkerJob, error: string): Measurement {
  return {
    scenario: job.scenario,
    variant: job.variant,
    params: job.params,
    backend: job.backend ?? 'auto',
    spawnMs: NaN,
    run: { median: NaN, p10: NaN, p90: NaN, runs: 0 },
    peakRssMiB: NaN,
    tensorBytesAfterSetup: NaN,
    tensorPeakBytes: NaN,
    error,
  };
}

const sameParams = (a: Params, b: Params): boolean => JSON.stringify(a) === JSON.stringify(b);

/**
 * Runs every scenario of a suite: each variant at each grid point in a fresh worker process, one process at a
 * time, then compares each point's variants with the scenario's baseline. A failing variant is recorded with
 * its error; the run goes on.
 *
 * @example
 * const result = await runSuite({ suite: new URL('./suite.js', import.meta.url), preset: 'quick' });
 * console.log(formatMarkdown(result));
 */
export async function runSuite(options: RunSuiteOptions): Promise<SuiteResult> {
  const preset = options.preset ?? 'full';
  const suiteUrl =
    options.suite instanceof URL
      ? options.suite.href
      : new URL(options.suite, `file://${process.cwd()}/`).href;
  const suite = ((await import(suiteUrl)) as { suite: Suite }).suite;
  const scenarios = suite.filter(
    (scenario) => options.only === undefined || options.only.includes(scenario.id),
  );
  const jobs: WorkerJob[] = scenarios.flatMap((scenario) =>
    scenario.grid[preset].flatMap((params) =>
      Object.keys(scenario.variants).map((variant) => ({
        suite: suiteUrl,
        scenario: scenario.id,
        variant,
        params,
        repetitions: scenario.repetitions?.[preset] ?? defaultRepetitions[preset],
        backend: options.backend,
      })),
    ),
  );
  const measurements: Measurement[] = [];
  for (const [index, job] of jobs.entries()) {
    options.onProgress?.({
      done: index,
      total: jobs.length,
      label: `${job.scenario} ${job.variant} ${JSON.stringify(job.params)}`,
    });
    const reply = await runWorker(job, options.timeoutMs ?? 600_000);
    measurements.push(reply.ok ? reply.measurement : failed(job, reply.error));
  }
  options.onProgress?.({ done: jobs.length, total: jobs.length, label: 'done' });
  const comparisons: Comparison[] = scenarios.flatMap((scenario) =>
    scenario.grid[preset].map((params) => {
      const at = measurements.filter((m) => m.scenario === scenario.id && sameParams(m.params, params));
      const base = at.find((m) => m.variant === scenario.baseline);
      const ratio = (pick: (m: Measurement) => number, inverse: boolean): Record<string, number> =>
        Object.fromEntries(
          at
            .filter((m) => m.variant !== scenario.baseline)
            .map((m) => [
              m.variant,
              base === undefined ? NaN : inverse ? pick(base) / pick(m) : pick(m) / pick(base),
            ]),
        );
      return {
        scenario: scenario.id,
        params,
        baseline: scenario.baseline,
        speedup: ratio((m) => m.run.median, true),
        memoryRatio: ratio((m) => m.tensorPeakBytes, false),
      };
    }),
  );
  return {
    date: new Date().toISOString(),
    preset,
    machine: describeMachine(),
    scenarios: scenarios.map((scenario) => ({
      id: scenario.id,
      title: scenario.title,
      ...(scenario.description === undefined ? {} : { description: scenario.description }),
      baseline: scenario.baseline,
    })),
    measurements,
    comparisons,
  };
}
