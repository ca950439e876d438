// `turbo bench` for the demo: the same gradients on the wasm and cpu backends in one process, reported as
// medians and as the cpu/wasm ratio, so the choice of wasm as the default runtime stays measured.
// Results go to bench-results/backends.json and a markdown table on stdout.
import { mkdirSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import '@tdhook/testing/register-gradients';
import { loadReferenceModel, seededTensor, tensorFromSpec } from '@tdhook/testing';

import { createMlp, disposeMlp, mlpLogits } from './reference-mlp.js';

interface Case {
  readonly name: string;
  /** Builds the inputs on the active backend and returns one timed step and a clean-up. */
  setup(): { step: () => Promise<void>; dispose: () => void };
}

const cases: Case[] = [
  {
    name: 'reference MLP 16→64→64→10, input gradient, batch 4',
    setup() {
      const model = loadReferenceModel('mlp');
      const weights = createMlp(model);
      const x = tensorFromSpec(model.inputs.x ?? model.logits);
      const target = tf.tidy(() => tf.oneHot(tf.tensor1d(model.argmax as number[], 'int32'), 10));
      const gradient = tf.grad((input: tf.Tensor) =>
        tf.sum(tf.mul(mlpLogits(weights, input as tf.Tensor2D), target)),
      );
      return {
        step: async () => {
          const g = gradient(x);
          await g.data();
          g.dispose();
        },
        dispose: () => {
          tf.dispose([x, target]);
          disposeMlp(weights);
        },
      };
    },
  },
  {
    name: 'MLP 784→256→10, softmax cross-entropy, weight gradients, batch 64',
    setup() {
      const x = seededTensor([64, 784], 1);
      const w1 = seededTensor([784, 256], 2);
      const w2 = seededTensor([256, 10], 3);
      const labels = tf.tidy(() =>
        tf.oneHot(
          tf.tensor1d(
            Array.from({ length: 64 }, (_, i) => i % 10),
            'int32',
          ),
          10,
        ),
      );
      const gradients = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
        tf.neg(tf.mean(tf.sum(tf.mul(labels, tf.logSoftmax(tf.matMul(tf.relu(tf.matMul(x, a)), b))), 1))),
      );
      return {
        step: async () => {
          const gs = gradients([w1, w2]);
          await Promise.all(gs.map((g) => g.data()));
          tf.dispose(gs);
        },
        dispose: () => {
          tf.dispose([x, w1, w2, labels]);
        },
      };
    },
  },
];

async function timeCase(benchCase: Case, warmup: number, runs: number): Promise<number> {
  const { step, dispose } = benchCase.setup();
  for (let i = 0; i < warmup; i++) await step();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await step();
    times.push(performance.now() - t0);
  }
  dispose();
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] ?? NaN;
}

const backends = ['wasm', 'cpu'] as const;
const rows: { case: string; wasm: number; cpu: number; ratio: number }[] = [];
for (const benchCase of cases) {
  const medians: Record<string, number> = {};
  for (const backend of backends) {
    await tf.setBackend(backend);
    await tf.ready();
    medians[backend] = await timeCase(benchCase, 5, backend === 'cpu' ? 10 : 30);
  }
  const wasm = medians.wasm ?? NaN;
  const cpu = medians.cpu ?? NaN;
  rows.push({ case: benchCase.name, wasm, cpu, ratio: cpu / wasm });
}

const table = [
  '| case | wasm (ms, median) | cpu (ms, median) | cpu / wasm |',
  '|---|---|---|---|',
  ...rows.map((r) => `| ${r.case} | ${r.wasm.toFixed(3)} | ${r.cpu.toFixed(3)} | ${r.ratio.toFixed(1)}x |`),
].join('\n');
console.log(table);
mkdirSync('bench-results', { recursive: true });
writeFileSync(
  'bench-results/backends.json',
  `${JSON.stringify({ date: new Date().toISOString(), node: process.version, tfjs: tf.version_core, rows }, null, 2)}\n`,
);
