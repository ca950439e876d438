// Trains the IOI model (models/ioi/) on the wasm backend: a 2-layer attention-only transformer on word-level
// IOI prompts of the train name pairs; evaluates on prompts of held-out name pairs (isHeldOutPair). Environment: STEPS (default
// 400), D_MODEL (64), N_HEADS (4), LR (3e-3), SEED (1).
import { join } from 'node:path';

import { initBackend } from '@tdhook/backend';

import { modelDirs } from '../src/model-dirs.js';
import { generateIoiPrompts, ioiTemplates } from '../src/tasks/ioi.js';
import { Adam } from '../src/training/adam.js';
import { ioiAccuracy, ioiLoss, ioiTokenVocabulary } from '../src/training/ioi-training.js';
import { hookedLm } from '../src/training/trainable-lm.js';
import { envNumber, log, writeJsonFile } from '../src/training/script-io.js';

const steps = envNumber('STEPS', 400);
const learningRate = envNumber('LR', 3e-3);
const seed = envNumber('SEED', 1);
const batch = 64;

const report = await initBackend({ backend: 'wasm' });
const config = {
  nLayers: 2,
  dModel: envNumber('D_MODEL', 64),
  nHeads: envNumber('N_HEADS', 4),
  nCtx: 24,
  dVocab: ioiTokenVocabulary.length,
  attnOnly: true,
};
const initStd = envNumber('INIT_STD', 1 / Math.sqrt(config.dModel));
const model = hookedLm(config, seed, initStd);
const params = model.variables.reduce((sum, v) => sum + v.size, 0);
log(`train-ioi: backend ${report.backend}, ${params} parameters, ${JSON.stringify(config)}`);
const adam = new Adam(model.variables, { learningRate, clipNorm: 1 });
const started = performance.now();
let recent = 0;
let step = 0;
while (step < steps) {
  adam.learningRate = learningRate * Math.min(1, (step + 1) / 50);
  const only = process.env.ORDER as 'ABB' | 'BAB' | undefined;
  const prompts = generateIoiPrompts({
    seed: seed * 1_000_003 + step,
    count: batch,
    template: process.env.TEMPLATE === undefined ? step % ioiTemplates.length : Number(process.env.TEMPLATE),
    ...(only === undefined ? {} : { order: only }),
  });
  const loss = adam.step(() => ioiLoss(model, prompts));
  recent = step === 0 ? loss : 0.9 * recent + 0.1 * loss;
  step += 1;
  if (step % 50 === 0) {
    const heldOut = ioiAccuracy(model, { seed: 99, perTemplate: 32, split: 'held-out' });
    log(
      `  step ${step}, ${((performance.now() - started) / 1000).toFixed(1)} s: loss ${recent.toFixed(3)}, held-out accuracy ${(100 * heldOut.accuracy).toFixed(1)} %, logit diff ${heldOut.logitDiff.toFixed(2)}`,
    );
  }
}
const seconds = Math.round((performance.now() - started) / 100) / 10;
adam.dispose();
const heldOut = ioiAccuracy(model, { seed: 1000, perTemplate: 64, split: 'held-out' });
const train = ioiAccuracy(model, { seed: 2000, perTemplate: 64, split: 'train' });
log(
  `train-ioi: ${seconds} s; held-out accuracy ${(100 * heldOut.accuracy).toFixed(2)} %, train ${(100 * train.accuracy).toFixed(2)} %`,
);
await model.save(modelDirs.ioi, {
  kind: 'word',
  vocab: ioiTokenVocabulary,
  unknown: '<unk>',
  lowercase: false,
});
writeJsonFile(join(modelDirs.ioi, 'training.json'), {
  model: 'ioi',
  command: 'pnpm --filter @tdhook/nlp-assets train-ioi',
  backend: report.backend,
  config,
  params,
  data: 'generateIoiPrompts (6 templates, ABB and BAB, 40 names), train name pairs; one template per batch',
  batch,
  init: {
    std: initStd,
    note: 'N(0, std²) matrices and embeddings, residual projections std/√(2·nLayers), zero biases, unit LayerNorm weights',
  },
  optimizer: { name: 'adam', learningRate, warmupSteps: 50, clipNorm: 1 },
  seed,
  steps: step,
  seconds,
  heldOut: { split: 'held-out name pairs', seed: 1000, perTemplate: 64, ...heldOut },
  train: { seed: 2000, perTemplate: 64, ...train },
});
model.dispose();
