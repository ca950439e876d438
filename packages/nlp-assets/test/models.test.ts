import { statSync } from 'node:fs';
import { join } from 'node:path';

import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

import {
  ioiNames,
  loadInductionModel,
  loadIoiModel,
  loadMobyCharModel,
  mobyDickCorpus,
} from '../src/index.js';
import { inductionAccuracy } from '../src/training/induction-training.js';
import { ioiAccuracy, ioiTokenVocabulary } from '../src/training/ioi-training.js';
import { loadedLm } from '../src/training/loaded-lm.js';
import { mobyBitsPerChar } from '../src/training/moby-metrics.js';

interface Facts {
  readonly heldOut: {
    readonly accuracy?: number;
    readonly bitsPerChar?: number;
    readonly first8BitsPerChar?: number;
  };
}

describe('the IOI model (models/ioi)', () => {
  it('answers ≥ 98 % of held-out-pair prompts (64 per template, and of each order), as training.json states (±2 %)', async () => {
    const before = tf.memory().numTensors;
    const { model, tokenizer, training } = await loadIoiModel();
    expect(model.config).toMatchObject({ nLayers: 2, attnOnly: true, dVocab: ioiTokenVocabulary.length });
    expect(tokenizer.encode(`When ${ioiNames[0]} and`)).toEqual([
      ioiTokenVocabulary.indexOf('When'),
      ioiTokenVocabulary.indexOf(ioiNames[0] as string),
      ioiTokenVocabulary.indexOf('and'),
    ]);
    const lm = loadedLm(model);
    const heldOut = ioiAccuracy(lm, { seed: 1000, perTemplate: 64, split: 'held-out' });
    // Both orders: the answer's position alone cannot give it.
    for (const order of ['ABB', 'BAB'] as const) {
      expect(
        ioiAccuracy(lm, { seed: 3000, perTemplate: 8, split: 'held-out', order }).accuracy,
      ).toBeGreaterThanOrEqual(0.98);
    }
    lm.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(heldOut.accuracy).toBeGreaterThanOrEqual(0.98);
    expect(heldOut.logitDiff).toBeGreaterThan(2);
    expect(
      Math.abs(heldOut.accuracy - ((training as unknown as Facts).heldOut.accuracy as number)),
    ).toBeLessThanOrEqual(0.02);
  });
});

describe('the induction model (models/induction)', () => {
  it('predicts ≥ 90 % of the copied tokens of 512 fresh sequences, as training.json states (±1 %)', async () => {
    const { model, training } = await loadInductionModel();
    expect(model.config).toMatchObject({ nLayers: 2, attnOnly: true, dVocab: 32, nCtx: 32 });
    const lm = loadedLm(model);
    const { accuracy } = inductionAccuracy(lm, { seed: 123_456, count: 512 });
    lm.dispose();
    expect(accuracy).toBeGreaterThanOrEqual(0.9);
    expect(
      Math.abs(accuracy - ((training as unknown as Facts).heldOut.accuracy as number)),
    ).toBeLessThanOrEqual(0.01);
  });
});

describe('the Moby Dick character model (models/moby-char)', () => {
  it('reaches the held-out bits/char that training.json states for its first 8 windows (±0.01) and at most 2.7 (2.60 on all 64)', async () => {
    const { model, tokenizer, training, folder } = await loadMobyCharModel();
    expect(tokenizer.vocabSize).toBe(mobyDickCorpus().vocabulary.length);
    expect(tokenizer.encode('call me ishmael.')).toEqual(
      Array.from('call me ishmael.', (char) => mobyDickCorpus().vocabulary.indexOf(char)),
    );
    // Small enough to commit: at most 2 MB of weights.
    expect(statSync(join(folder, 'model.safetensors')).size).toBeLessThanOrEqual(2_000_000);
    const lm = loadedLm(model);
    // The first 8 of the 64 held-out windows training.json measured on (the cpu backend needs 10 s for these).
    const bits = mobyBitsPerChar(lm, { count: 8 });
    lm.dispose();
    expect(bits).toBeLessThanOrEqual(2.7);
    expect(
      Math.abs(bits - ((training as unknown as Facts).heldOut.first8BitsPerChar as number)),
    ).toBeLessThanOrEqual(0.01);
  });
});
