// `turbo bench` for @tdhook/attribution: each method against the same math written by hand with plain
// TF.js, on the default backend (patched wasm here), in one process, runs interleaved; medians and ratios.
// Writes bench-results/attribution.json and prints a markdown table.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { performance } from 'node:perf_hooks';

import * as tf from '@tensorflow/tfjs-core';
import { formatBackendReport, initBackend } from '@tdhook/backend';

import { benchCases, type Variant } from './cases.js';

const backend = await initBackend();
console.error(`bench: ${formatBackendReport(backend)}`);

function median(variant: Variant, runs: number): number {
  const times: number[] = [];
  for (let run = 0; run < runs; run++) {
    const started = performance.now();
    const result = variant.run();
    for (const tensor of result) tensor.dataSync(); // wait for the backend to finish
    times.push(performance.now() - started);
    tf.dispose(result);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] ?? NaN;
}

interface Row {
  readonly name: string;
  readonly ms: Record<string, number>;
  readonly ratios: { readonly label: string; readonly value: number; readonly goal: string }[];
}

const rows: Row[] = [];
const tensorsBefore = tf.memory().numTensors;
for (const benchCase of benchCases()) {
  const ms: Record<string, number> = {};
  for (const variant of benchCase.variants) median(variant, 1); // warm-up
  // Interleaved rounds so that drift in machine load hits every variant alike.
  const samples: Record<string, number[]> = {};
  for (let round = 0; round < benchCase.rounds; round++) {
    for (const variant of benchCase.variants) {
      (samples[variant.name] ??= []).push(median(variant, 1));
    }
  }
  for (const [name, values] of Object.entries(samples)) {
    values.sort((a, b) => a - b);
    ms[name] = values[Math.floor(values.length / 2)] ?? NaN;
  }
  benchCase.dispose();
  const ratios = benchCase.ratios.map(({ slow, fast, goal }) => ({
    label: `${slow} / ${fast}`,
    value: (ms[slow] ?? NaN) / (ms[fast] ?? NaN),
    goal,
  }));
  rows.push({ name: benchCase.name, ms, ratios });
  console.error(
    `${benchCase.name}: ${Object.entries(ms)
      .map(([name, value]) => `${name} ${value.toFixed(1)} ms`)
      .join(', ')}; ${ratios.map((ratio) => `${ratio.label} = ${ratio.value.toFixed(2)}`).join(', ')}`,
  );
}

const leaked = tf.memory().numTensors - tensorsBefore;
if (leaked !== 0) throw new Error(`the benchmark leaked ${String(leaked)} tensors`);

const table = [
  '| case | median ms | ratio | goal |',
  '|---|---|---|---|',
  ...rows.map(
    (row) =>
      `| ${row.name} | ${Object.entries(row.ms)
        .map(([name, value]) => `${name} ${value.toFixed(1)}`)
        .join(
          '<br>',
        )} | ${row.ratios.map((ratio) => `${ratio.label} = ${ratio.value.toFixed(2)}`).join('<br>')} | ${row.ratios.map((ratio) => ratio.goal).join('<br>')} |`,
  ),
].join('\n');
const machine = `${String(cpus().length)} × ${cpus()[0]?.model ?? 'CPU'}, Node ${process.version}, TF.js ${tf.version_core}, backend ${backend.backend}`;
console.log(`Medians; ${machine}\n\n${table}`);
mkdirSync('bench-results', { recursive: true });
writeFileSync(
  'bench-results/attribution.json',
  `${JSON.stringify({ date: new Date().toISOString(), machine, rows }, null, 2)}\n`,
);
