// `turbo bench` for @tdhook/backend: every case on stock wasm, patched wasm and stock cpu, in one process,
// as medians and ratios. Writes bench-results/backend.json and prints a markdown table.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { performance } from 'node:perf_hooks';

import * as tf from '@tensorflow/tfjs-core';

import { initBackend, restorePatches } from '../src/index.js';
import { defaultPatches, installPatches } from '../src/patches.js';
import { benchCases, type BenchCase } from './models.js';

type Column = 'wasm-stock' | 'wasm-patched' | 'cpu-stock';

// `--quick` (CI) times the slow stock-cpu column without its warm-up run: the stock embedding gradient alone
// takes ~15 s a run there, and one cold run is enough to show the gap.
const quick = process.argv.includes('--quick');

async function time(benchCase: BenchCase, runs: number, warmUp = true): Promise<number | string> {
  let built: ReturnType<BenchCase['setup']> | undefined;
  try {
    built = benchCase.setup();
    if (!warmUp) {
      const started = performance.now();
      await built.step(); // also the place a missing kernel shows
      return performance.now() - started;
    }
    await built.step(); // warm-up, and the place a missing kernel shows
    const times: number[] = [];
    for (let run = 0; run < runs; run++) {
      const started = performance.now();
      await built.step();
      times.push(performance.now() - started);
    }
    times.sort((a, b) => a - b);
    return times[Math.floor(times.length / 2)] ?? NaN;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const missing = /Kernel '(\w+)' not registered/.exec(message)?.[1];
    return missing === undefined
      ? `fails: ${message.split('\n')[0]?.slice(0, 60) ?? ''}`
      : `missing kernel ${missing}`;
  } finally {
    built?.dispose();
  }
}

const results: Record<string, Record<Column, number | string>> = {};
const columns: [Column, () => Promise<void>, number][] = [
  [
    'wasm-stock',
    async () => {
      restorePatches();
      await initBackend({ backend: 'wasm', patches: false });
    },
    10,
  ],
  [
    'wasm-patched',
    async () => {
      await installPatches('wasm', defaultPatches);
    },
    10,
  ],
  // One timed run on cpu: its stock embedding gradient alone takes ~20 s here.
  [
    'cpu-stock',
    async () => {
      restorePatches();
      await initBackend({ backend: 'cpu', patches: false });
    },
    1,
  ],
];
for (const [column, prepare, runs] of columns) {
  await prepare();
  for (const benchCase of benchCases) {
    const row = (results[benchCase.name] ??= {} as Record<Column, number | string>);
    row[column] = await time(benchCase, runs, !(quick && column === 'cpu-stock'));
    console.error(
      `${column.padEnd(13)} ${benchCase.name}: ${typeof row[column] === 'number' ? `${row[column].toFixed(2)} ms` : row[column]}`,
    );
  }
}
restorePatches();

const ms = (value: number | string | undefined): string =>
  typeof value === 'number' ? value.toFixed(2) : (value ?? '?');
const ratio = (slow: number | string | undefined, fast: number | string | undefined): string =>
  typeof slow === 'number' && typeof fast === 'number'
    ? `${(slow / fast).toFixed(1)}x`
    : typeof slow === 'string'
      ? 'stock fails'
      : '–';
const table = [
  '| case | wasm stock (ms) | wasm patched (ms) | cpu (ms) | patched vs stock wasm | patched wasm vs cpu |',
  '|---|---|---|---|---|---|',
  ...Object.entries(results).map(
    ([name, row]) =>
      `| ${name} | ${ms(row['wasm-stock'])} | ${ms(row['wasm-patched'])} | ${ms(row['cpu-stock'])} | ${ratio(row['wasm-stock'], row['wasm-patched'])} | ${ratio(row['cpu-stock'], row['wasm-patched'])} |`,
  ),
].join('\n');
const machine = `${String(cpus().length)} × ${cpus()[0]?.model ?? 'CPU'}, Node ${process.version}, TF.js ${tf.version_core}`;
const note = quick ? '; --quick: the cpu column is one cold run' : '';
console.log(`Medians; ${machine}${note}\n\n${table}`);
mkdirSync('bench-results', { recursive: true });
writeFileSync(
  'bench-results/backend.json',
  `${JSON.stringify({ date: new Date().toISOString(), machine, results }, null, 2)}\n`,
);
