import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { restorePatches } from '@tdhook/backend';
import { defaultPatches, installPatches } from '@tdhook/backend/patches';

import { mobyDickCorpus, sampleMobyDickWindows } from '../src/index.js';
import { Adam } from '../src/training/adam.js';
import { maskedCrossEntropy } from '../src/training/losses.js';
import { hookedLm } from '../src/training/trainable-lm.js';

describe('training (smoke test, as the scripts train)', () => {
  // As the scripts run: with @tdhook/backend's patches (wasm lacks the embedding's gradient kernel).
  beforeAll(async () => {
    await installPatches(tf.getBackend() as 'wasm' | 'cpu', defaultPatches);
  });
  afterAll(() => {
    restorePatches();
  });

  it('lowers a tiny character model’s Moby Dick loss within 20 Adam steps, without leaking tensors', () => {
    const before = tf.memory().numTensors;
    const dVocab = mobyDickCorpus().vocabulary.length;
    const model = hookedLm({ nLayers: 1, dModel: 16, nHeads: 2, nCtx: 16, dVocab, attnOnly: false }, 3);
    const adam = new Adam(model.variables, { learningRate: 1e-2, clipNorm: 1 });
    const losses: number[] = [];
    for (let step = 0; step < 20; step++) {
      const ids = sampleMobyDickWindows({ seed: step, count: 16, length: 16 });
      losses.push(
        adam.step(() => {
          const windows = tf.tensor2d(ids, [16, 17], 'int32');
          const inputs = tf.slice(windows, [0, 0], [16, 16]);
          return maskedCrossEntropy(model.logits(inputs), tf.slice(windows, [0, 1], [16, 16]));
        }),
      );
    }
    adam.dispose();
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
    // Starts at ln(57) = 4.04 nats (uniform); 20 steps learn the character frequencies at least.
    expect(Math.abs((losses[0] as number) - Math.log(dVocab))).toBeLessThan(0.1);
    const last = losses.slice(-5).reduce((a, b) => a + b, 0) / 5;
    expect(last).toBeLessThan((losses[0] as number) - 0.5);
  });
});
