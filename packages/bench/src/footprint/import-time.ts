// Cold import time: a fresh Node process that imports one package, timed from spawn to exit, minus the same
// process importing nothing. Spawns alternate between the packages and the empty process so that a busy
// moment of the machine does not land on one package only.
import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';

import { summarise } from '../stats.js';

export interface ImportTarget {
  readonly name: string;
  /** Where the process runs: the package's own folder, where its name resolves to itself. */
  readonly dir: string;
}

function spawnMs(code: string, cwd: string): { readonly ms: number; readonly error?: string } {
  const started = performance.now();
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', code], {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'ignore', 'pipe'],
    timeout: 120_000,
  });
  const ms = performance.now() - started;
  if (child.status === 0) return { ms };
  const message =
    (child.stderr || child.error?.message || `exit code ${String(child.status)}`)
      .split('\n')
      .find((line) => /Error/.test(line)) ?? `exit code ${String(child.status)}`;
  return { ms, error: message.trim() };
}

/** Median cold import time of each target above an empty process, over `runs` spawns each. */
export function measureImportTimes(
  targets: readonly ImportTarget[],
  runs: number,
): {
  readonly emptyMs: number;
  readonly times: ReadonlyMap<string, number>;
  readonly errors: ReadonlyMap<string, string>;
} {
  const empty: number[] = [];
  const samples = new Map<string, number[]>(targets.map((target) => [target.name, []]));
  const errors = new Map<string, string>();
  for (let index = 0; index < runs; index++) {
    empty.push(spawnMs('', process.cwd()).ms);
    for (const target of targets) {
      if (errors.has(target.name)) continue;
      const sample = spawnMs(`await import(${JSON.stringify(target.name)});`, target.dir);
      if (sample.error === undefined) samples.get(target.name)?.push(sample.ms);
      else errors.set(target.name, sample.error);
    }
  }
  const emptyMs = summarise(empty).median;
  const times = new Map<string, number>();
  for (const [name, values] of samples) {
    if (!errors.has(name)) times.set(name, Math.max(0, summarise(values).median - emptyMs));
  }
  return { emptyMs, times, errors };
}
