// Trains the induction model (models/induction/) on the wasm backend: a 2-layer attention-only transformer
// on random token sequences with one span copied to a random later place (generateInductionBatch); the loss
// and the accuracy count the predictable copied positions only. Stops at STEPS or when the accuracy on fresh
// sequences reaches TARGET. Environment: STEPS (default 4000), TARGET (0.96), D_MODEL (64), N_HEADS (4),
// LR (2e-3), SEED (1), OUT (the folder; default models/induction), RESUME=1 (continue the model in OUT),
// DECAY=1 (cosine decay of LR to 0 over STEPS instead of warmup + constant).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { loadGpt2Checkpoint } from '@tdhook/adapter-nlp';
import { initBackend } from '@tdhook/backend';

import { modelDirs } from '../src/model-dirs.js';
import { generateInductionBatch } from '../src/tasks/induction.js';
import { Adam } from '../src/training/adam.js';
import { inductionAccuracy, inductionLoss } from '../src/training/induction-training.js';
import { loadedLm } from '../src/training/loaded-lm.js';
import { envNumber, log, writeJsonFile } from '../src/training/script-io.js';
import { hookedLm } from '../src/training/trainable-lm.js';

interface PreviousRun {
  readonly steps: number;
  readonly seconds: number;
  readonly history: { step: number; seconds: number; accuracy: number }[];
  readonly phases?: readonly Record<string, unknown>[];
  readonly optimizer?: { readonly learningRate?: number };
  readonly command?: string;
}

/** The environment this run was given, as a command line. */
const command = [
  ...['STEPS', 'TARGET', 'D_MODEL', 'N_HEADS', 'LR', 'SEED', 'RESUME', 'DECAY']
    .filter((name) => process.env[name] !== undefined)
    .map((name) => `${name}=${process.env[name] ?? ''}`),
  'pnpm --filter @tdhook/nlp-assets train-induction',
].join(' ');

const steps = envNumber('STEPS', 4000);
const target = envNumber('TARGET', 0.96);
const decay = process.env.DECAY === '1';
const learningRate = envNumber('LR', 2e-3);
const seed = envNumber('SEED', 1);
const batch = 64;
const vocabSize = 32;
const length = 32;

const report = await initBackend({ backend: 'wasm' });
const config = {
  nLayers: 2,
  dModel: envNumber('D_MODEL', 64),
  nHeads: envNumber('N_HEADS', 4),
  nCtx: length,
  dVocab: vocabSize,
  attnOnly: true,
};
const initStd = envNumber('INIT_STD', 1 / Math.sqrt(config.dModel));
const out = process.env.OUT ?? modelDirs.induction;
// RESUME=1 continues the model in OUT (its training.json's steps, seconds and history carry on).
const resume = process.env.RESUME === '1';
const previous = resume
  ? (JSON.parse(readFileSync(join(out, 'training.json'), 'utf8')) as PreviousRun)
  : undefined;
const model = resume ? loadedLm((await loadGpt2Checkpoint(out)).model) : hookedLm(config, seed, initStd);
const params = model.variables.reduce((sum, v) => sum + v.size, 0);
log(`train-induction: backend ${report.backend}, ${params} parameters, ${JSON.stringify(config)}`);
const adam = new Adam(model.variables, { learningRate, clipNorm: 1 });
const started = performance.now();
const startStep = previous?.steps ?? 0;
const startSeconds = previous?.seconds ?? 0;
const history: { step: number; seconds: number; accuracy: number }[] = [...(previous?.history ?? [])];
let recent = 0;
let step = startStep;
while (step < startStep + steps) {
  const phaseStep = step - startStep;
  adam.learningRate = decay
    ? learningRate * 0.5 * (1 + Math.cos((Math.PI * phaseStep) / steps))
    : learningRate * Math.min(1, (phaseStep + 1) / 100);
  const data = generateInductionBatch({ seed: seed * 1_000_003 + step, count: batch, vocabSize, length });
  const loss = adam.step(() => inductionLoss(model, data));
  recent = step === startStep ? loss : 0.95 * recent + 0.05 * loss;
  step += 1;
  if (step % 100 === 0) {
    const { accuracy } = inductionAccuracy(model, { seed: 777, count: 128 });
    const seconds = startSeconds + Math.round((performance.now() - started) / 1000);
    history.push({ step, seconds, accuracy });
    log(`  step ${step}, ${seconds} s: loss ${recent.toFixed(3)}, accuracy ${(100 * accuracy).toFixed(1)} %`);
    if (accuracy >= target) break;
  }
}
const seconds = startSeconds + Math.round((performance.now() - started) / 100) / 10;
adam.dispose();
const heldOut = inductionAccuracy(model, { seed: 123_456, count: 512 });
log(
  `train-induction: ${step} steps, ${seconds} s; held-out accuracy ${(100 * heldOut.accuracy).toFixed(2)} %`,
);
const vocab = Array.from({ length: vocabSize }, (_, i) => String.fromCharCode(65 + i + (i >= 26 ? 6 : 0)));
await model.save(out, { kind: 'char', vocab, unknown: null, lowercase: false });
writeJsonFile(join(out, 'training.json'), {
  model: 'induction',
  command,
  backend: report.backend,
  config,
  params,
  data: `generateInductionBatch: vocabulary ${vocabSize}, length ${length}, one span of 4–10 tokens copied to a random later place`,
  tokens: 'token i is written as the character vocab[i] (A–Z, then a–f), so a sequence is a 32-letter string',
  batch,
  init: {
    std: initStd,
    note: 'N(0, std²) matrices and embeddings, residual projections std/√(2·nLayers), zero biases, unit LayerNorm weights',
  },
  optimizer: { name: 'adam', clipNorm: 1 },
  phases: [
    ...(previous === undefined
      ? []
      : (previous.phases ?? [
          {
            steps: previous.steps,
            learningRate: previous.optimizer?.learningRate,
            schedule: 'warmup 100 steps, then constant',
            command: previous.command,
          },
        ])),
    {
      steps: step - startStep,
      learningRate,
      schedule: decay ? 'cosine to 0' : 'warmup 100 steps, then constant',
      command,
    },
  ],
  seed,
  steps: step,
  seconds,
  heldOut: { seed: 123_456, sequences: 512, ...heldOut },
  history,
});
model.dispose();
