// The README's main job: start the fastest TF.js backend, then recompute every captum and zennit reference
// attribution of the two reference models (shipped in the repository) through @tdhook/attribution, and time
// integrated gradients for all ten classes in one call. Exits non-zero on a mismatch or a tensor leak.
import { performance } from 'node:perf_hooks';

import * as tf from '@tensorflow/tfjs-core';
import { formatBackendReport, initBackend } from '@tdhook/backend';
import { TensorDict } from '@tdhook/core';
import { classTargets, integratedGradients, type TargetStrategy } from '@tdhook/attribution';
import { referenceInput, referenceLayersModel, type ReferenceModelName } from '@tdhook/testing';

import { checkReferenceModel, type ConformanceRow } from './conformance.js';

function summarise(rows: readonly ConformanceRow[]): string[] {
  const groups = new Map<string, ConformanceRow[]>();
  for (const row of rows) {
    const name = `${row.model} ${row.method}`;
    groups.set(name, [...(groups.get(name) ?? []), row]);
  }
  return [...groups].map(([name, group]) => {
    const passed = group.filter((row) => row.pass).length;
    const worst = Math.max(...group.map((row) => row.maxAbsoluteError));
    const failed = group.filter((row) => !row.pass).map((row) => row.id);
    return `  ${name.padEnd(26)} ${String(passed).padStart(2)}/${String(group.length)} match, max |error| ${worst.toExponential(1)}${failed.length === 0 ? '' : `; MISMATCH ${failed.join(', ')}`}`;
  });
}

/** Median milliseconds of integrated gradients for all 10 classes of the reference inputs, in one call. */
async function timeAllClasses(name: ReferenceModelName, strategy: TargetStrategy): Promise<number> {
  const model = referenceLayersModel(name);
  using data = new TensorDict({ input: referenceInput(name) }, { batchShape: [4] });
  const targets = classTargets(Array.from({ length: 10 }, (_, unit) => unit));
  using prepared = integratedGradients({ targets, baselines: 0, strategy }).prepare(model);
  const times: number[] = [];
  for (let run = 0; run < 7; run++) {
    const started = performance.now();
    using result = prepared.run(data);
    await result.getTensor(['attr', 'class9', 'input']).data();
    times.push(performance.now() - started);
  }
  model.dispose();
  return times.sort((a, b) => a - b)[3] ?? NaN;
}

async function main(): Promise<number> {
  const started = performance.now();
  const backend = await initBackend();
  console.log(`tdhook demo: ${formatBackendReport(backend)}`);
  const tensorsBefore = tf.memory().numTensors;

  const rows = [...checkReferenceModel('mlp'), ...checkReferenceModel('cnn')];
  const passed = rows.filter((row) => row.pass).length;
  console.log(
    `\nEvery captum 0.7 / zennit 0.5.1 reference result, recomputed through @tdhook/attribution (${String(passed)}/${String(rows.length)} match; tolerance rtol 1e-4, atol 1e-6; LRP rtol 1e-3):`,
  );
  for (const line of summarise(rows)) console.log(line);

  console.log('\nIntegrated gradients, 50 Gauss–Legendre steps, all 10 classes of 4 samples in one call:');
  for (const name of ['mlp', 'cnn'] as const) {
    const shared = await timeAllClasses(name, 'shared');
    const loop = await timeAllClasses(name, 'loop');
    console.log(
      `  ${name}: ${shared.toFixed(1)} ms with one forward pass shared by the 10 backward passes, ${loop.toFixed(1)} ms one class at a time (${(loop / shared).toFixed(2)}x)`,
    );
  }

  const leaked = tf.memory().numTensors - tensorsBefore;
  console.log(
    `\ntensors leaked: ${String(leaked)}; total ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
  return passed === rows.length && leaked === 0 ? 0 : 1;
}

process.exitCode = await main();
