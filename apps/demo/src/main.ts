// The README's main job: start the fastest TF.js backend, recompute every captum and zennit reference
// attribution of the two reference models through @tdhook/attribution, time integrated gradients for all ten
// classes in one call, then explain real vision models (the repository's MNIST CNN, MobileNetV2, a Graph
// model) with every method, the concept pipeline and pixel flipping, then language models (a GPT-2 checkpoint
// against PyTorch/captum, the IOI model trained here, lande), then probe the MNIST CNN's layers and the
// character model's residual stream (linear probes, intrinsic dimension, CKA), then intervene (patch the IOI
// model's heads next to their AtP and RelP estimates, ablate heads, steer the character model's generation,
// patch MNIST conv2 channels), then edit weights (prune the MNIST CNN by magnitude, attribution and Taylor
// importance, train a sparse autoencoder on the character model's residual stream and splice it in, make the
// MNIST CNN forget a digit with a task vector), then reinforcement learning (a CartPole episode of the committed
// PPO policy with integrated gradients at every step, probes per layer, the corridor agent steered by one
// workflow), and write PNGs plus one self-contained HTML report to demo-output/. Exits non-zero on a mismatch
// or a tensor leak.
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@tdhook/backend';
import { TensorDict } from '@tdhook/core';
import { classTargets, integratedGradients, type TargetStrategy } from '@tdhook/attribution';
import { referenceInput, referenceLayersModel, type ReferenceModelName } from '@tdhook/testing';

import { checkReferenceModel, type ConformanceRow } from './conformance.js';
import { backendLine, backendSummary } from './report/backend-summary.js';
import { htmlReport } from './report/html-report.js';
import type { ReportSection } from './report/report-model.js';
import { conceptSection } from './vision/concept-section.js';
import { DemoContext } from './vision/demo-context.js';
import { graphSection } from './vision/graph-section.js';
import { mnistSection } from './vision/mnist-section.js';
import { photoSection } from './vision/photo-section.js';
import { gpt2TinySection } from './nlp/gpt2-tiny-section.js';
import { ioiSection } from './nlp/ioi-section.js';
import { landeSection } from './nlp/lande-section.js';
import { mnistProbingSection } from './probing/mnist-probing-section.js';
import { nlpProbingSection } from './probing/nlp-probing-section.js';
import { interventionSection } from './intervention/intervention-section.js';
import { weightsSection } from './weights/weights-section.js';
import { rlSection } from './rl/rl-section.js';

// The repository root's demo-output/ (dist/main.js lives in apps/demo/dist), unless TDHOOK_DEMO_OUT says.
const outDir = resolve(
  process.env.TDHOOK_DEMO_OUT ?? fileURLToPath(new URL('../../../demo-output', import.meta.url)),
);

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
  console.log(`tdhook demo: ${backendLine(backend, tf.version_core)}`);
  const tensorsBefore = tf.memory().numTensors;
  // Where the time goes, for the report's header.
  const stages: [string, number][] = [];
  let stageStarted = performance.now();
  const endStage = (name: string): void => {
    const now = performance.now();
    stages.push([name, (now - stageStarted) / 1000]);
    stageStarted = now;
  };

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
  endStage('reference checks and timing');

  console.log(
    `\nVision models: every method, the concept pipeline and pixel flipping (report in ${outDir}):`,
  );
  const context = new DemoContext(outDir);
  const sections: ReportSection[] = [];
  for (const section of [mnistSection, conceptSection, photoSection, graphSection]) {
    const done = await section(context);
    sections.push(done);
    endStage(done.shortTitle);
  }

  console.log('\nLanguage models: a GPT-2 checkpoint from disk, the IOI model trained here, lande:');
  const gpt2Tiny = await gpt2TinySection(context);
  endStage(gpt2Tiny.shortTitle);
  for (const section of [ioiSection, landeSection]) {
    const done = await section(context);
    sections.push(done);
    endStage(done.shortTitle);
  }
  sections.push(gpt2Tiny);

  console.log('\nProbing: linear probes, intrinsic dimension and CKA per layer (@tdhook/probing):');
  for (const section of [mnistProbingSection, nlpProbingSection]) {
    const done = await section(context);
    sections.push(done);
    endStage(done.shortTitle);
  }

  console.log(
    '\nIntervention: activation patching, AtP and RelP, head ablation, steering (@tdhook/intervention):',
  );
  const intervention = await interventionSection(context);
  sections.push(intervention);
  endStage(intervention.shortTitle);

  console.log('\nWeights: pruning, a sparse autoencoder, task vectors (@tdhook/weights):');
  const weights = await weightsSection(context);
  sections.push(weights);
  endStage(weights.shortTitle);

  console.log(
    '\nReinforcement learning: a CartPole policy over an episode, probes, corridor steering (@tdhook/adapter-rl):',
  );
  const rl = await rlSection(context);
  sections.push(rl);
  endStage(rl.shortTitle);
  sections.push({
    id: 'conformance',
    title: 'Conformance with captum and zennit',
    shortTitle: 'conformance',
    paragraphs: [
      `Every captum 0.7 / zennit 0.5.1 reference attribution of the repository's reference MLP and CNN, recomputed through @tdhook/attribution: ${String(passed)} of ${String(rows.length)} match (tolerance rtol 1e-4, atol 1e-6; LRP rtol 1e-3).`,
    ],
    figures: [],
    tables: [
      {
        caption: 'Largest absolute error per model and method',
        header: ['model and method', 'match', 'max |error|'],
        rows: summarise(rows).map((line) => {
          const match = /^\s*(.+?)\s+(\d+\/\d+) match, max \|error\| (\S+)/.exec(line);
          return match === null
            ? [line.trim(), '', '']
            : [match[1] ?? '', match[2] ?? '', match[3]?.replace(/;$/, '') ?? ''];
        }),
      },
    ],
  });
  const seconds = (performance.now() - started) / 1000;
  const html = htmlReport(
    'tdhook demo: explaining TensorFlow.js vision and language models',
    [
      [
        'Run',
        `pnpm demo on ${new Date().toISOString().slice(0, 10)}, ${seconds.toFixed(0)} s in all (${stages.map(([name, time]) => `${name} ${time.toFixed(time < 10 ? 1 : 0)} s`).join(', ')}). Every number below was computed in that run.`,
      ],
      ...backendSummary(backend, tf.version_core),
    ],
    sections,
  );
  writeFileSync(join(outDir, 'index.html'), html);
  // The same numbers for scripts: every table of the report, by section.
  const summary = sections.map(({ id, title, tables }) => ({ id, title, tables }));
  writeFileSync(
    join(outDir, 'summary.json'),
    `${JSON.stringify({ seconds, backend: backend.backend, sections: summary }, null, 2)}\n`,
  );
  console.log(
    `  wrote ${join(outDir, 'index.html')} (${(html.length / 1024).toFixed(0)} KiB, self-contained) and the PNGs beside it`,
  );

  const leaked = tf.memory().numTensors - tensorsBefore;
  console.log(`\ntensors leaked: ${String(leaked)}; total ${seconds.toFixed(1)} s`);
  return passed === rows.length && gpt2Tiny.pass && leaked === 0 ? 0 : 1;
}

process.exitCode = await main();
