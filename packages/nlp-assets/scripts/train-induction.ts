// Trains the induction model (models/induction/) on the wasm backend: a 2-layer attention-only transformer
// on random token sequences with one span copied to a random later place (generateInductionBatch); the loss
// and the accuracy count the predictable copied positions only. Stops at STEPS or when the accuracy on fresh
// sequences reaches TARGET. Environment: STEPS (default 4000), TARGET (0.96), D_MODEL (64), N_HEADS (4),
// LR (2e-3), SEED (1), OUT (the folder; default models/induction).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { initBackend } from '@tdhook/backend';

import { modelDirs } from '../src/model-dirs.js';
import { generateInductionBatch } from '../src/tasks/induction.js';
import { Adam } from '../src/training/adam.js';
import { inductionAccuracy, inductionLoss } from '../src/training/induction-training.js';
import { hookedLm } from '../src/training/trainable-lm.js';

const env = (name: string, fallback: number): number => Number(process.env[name] ?? fallback);
const steps = env('STEPS', 4000);
const target = env('TARGET', 0.96);
const learningRate = env('LR', 2e-3);
const seed = env('SEED', 1);
const batch = 64;
const vocabSize = 32;
const length = 32;
const log = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

const report = await initBackend({ backend: 'wasm' });
const config = {
  nLayers: 2,
  dModel: env('D_MODEL', 64),
  nHeads: env('N_HEADS', 4),
  nCtx: length,
  dVocab: vocabSize,
  attnOnly: true,
};
const initStd = env('INIT_STD', 1 / Math.sqrt(config.dModel));
const model = hookedLm(config, seed, initStd);
const params = model.variables.reduce((sum, v) => sum + v.size, 0);
log(`train-induction: backend ${report.backend}, ${params} parameters, ${JSON.stringify(config)}`);
const adam = new Adam(model.variables, { learningRate, clipNorm: 1 });
const started = performance.now();
let recent = 0;
let step = 0;
const history: { step: number; seconds: number; accuracy: number }[] = [];
while (step < steps) {
  adam.learningRate = learningRate * Math.min(1, (step + 1) / 100);
  const data = generateInductionBatch({ seed: seed * 1_000_003 + step, count: batch, vocabSize, length });
  const loss = adam.step(() => inductionLoss(model, data));
  recent = step === 0 ? loss : 0.95 * recent + 0.05 * loss;
  step += 1;
  if (step % 100 === 0) {
    const { accuracy } = inductionAccuracy(model, { seed: 777, count: 128 });
    const seconds = Math.round((performance.now() - started) / 1000);
    history.push({ step, seconds, accuracy });
    log(`  step ${step}, ${seconds} s: loss ${recent.toFixed(3)}, accuracy ${(100 * accuracy).toFixed(1)} %`);
    if (accuracy >= target) break;
  }
}
const seconds = Math.round((performance.now() - started) / 100) / 10;
adam.dispose();
const heldOut = inductionAccuracy(model, { seed: 123_456, count: 512 });
log(
  `train-induction: ${step} steps, ${seconds} s; held-out accuracy ${(100 * heldOut.accuracy).toFixed(2)} %`,
);
const vocab = Array.from({ length: vocabSize }, (_, i) => String.fromCharCode(65 + i + (i >= 26 ? 6 : 0)));
const out = process.env.OUT ?? modelDirs.induction;
await model.save(out, { kind: 'char', vocab, unknown: null, lowercase: false });
writeFileSync(
  join(out, 'training.json'),
  `${JSON.stringify(
    {
      model: 'induction',
      command: 'pnpm --filter @tdhook/nlp-assets train-induction',
      backend: report.backend,
      config,
      params,
      data: `generateInductionBatch: vocabulary ${vocabSize}, length ${length}, one span of 4–10 tokens copied to a random later place`,
      tokens:
        'token i is written as the character vocab[i] (A–Z, then a–f), so a sequence is a 32-letter string',
      batch,
      init: { std: initStd, note: 'N(0, std²) matrices and embeddings, residual projections std/√(2·nLayers), zero biases, unit LayerNorm weights' },
      optimizer: { name: 'adam', learningRate, warmupSteps: 100, clipNorm: 1 },
      seed,
      steps: step,
      seconds,
      heldOut: { seed: 123_456, sequences: 512, ...heldOut },
      history,
    },
    null,
    2,
  )}\n`,
);
model.dispose();
