// trainSparseAutoencoder's contract: seeded and bit-exact, the same weights from disk shards as from memory,
// progress, abort, typed errors that leave the weights as they were, nothing leaked (optimizer state included).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import * as tf from '@tensorflow/tfjs-core';
import { TensorDict } from '@tdhook/core';
import { diskActivationSink, readActivationShards } from '@tdhook/probing/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {} from '@tdhook/testing/vitest';

import {
  SparseAutoencoder,
  trainSparseAutoencoder,
  type SparseAutoencoderTrainingOptions,
  type TrainingProgress,
} from '../src/index.js';
import { syntheticDict, syntheticRows, width } from './sae-synthetic-data.js';

const small = (seed = 0, activation: 'relu' | { topK: number } = 'relu'): SparseAutoencoder =>
  new SparseAutoencoder({ inputSize: width, features: 64, activation, seed });

function weights(sae: SparseAutoencoder): Record<string, number[]> {
  return Object.fromEntries(sae.namedParameters().map(([name, v]) => [name, Array.from(v.dataSync())]));
}

async function trainedWeights(
  data: SparseAutoencoderTrainingOptions['data'],
  options: Partial<SparseAutoencoderTrainingOptions> & { modelSeed?: number } = {},
): Promise<Record<string, number[]>> {
  const { modelSeed, ...training } = options;
  const sae = small(modelSeed ?? 0, modelSeed === undefined ? 'relu' : { topK: 4 });
  try {
    await trainSparseAutoencoder(sae, { data, key: 'resid', epochs: 2, batchSize: 64, ...training });
    return weights(sae);
  } finally {
    sae.dispose();
  }
}

describe('trainSparseAutoencoder: seeding, sources, progress', () => {
  let root = '';
  let folder = '';
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'tdhook-sae-'));
    folder = join(root, 'resid');
    // 500 rows in shards of 180, 180, 140: batch boundaries (64) fall inside shards.
    const sink = diskActivationSink(folder, { shardRows: 180 });
    await sink.open({ fingerprint: 'sae-test' });
    await sink.write(syntheticDict(300, 11));
    await sink.write(
      new TensorDict({ resid: tf.tensor2d(syntheticRows(200, 12), [200, width]) }, { batchShape: [200] }),
    );
    await sink.finish();
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  function memory(): TensorDict {
    const parts = [syntheticDict(300, 11), syntheticDict(200, 12)];
    try {
      return TensorDict.concat(parts);
    } finally {
      for (const part of parts) part.dispose();
    }
  }

  it('the same seeds give bit-identical weights; another shuffle seed or model seed differs', async () => {
    using data = memory();
    const a = await trainedWeights(data, { seed: 3 });
    const b = await trainedWeights(data, { seed: 3 });
    const c = await trainedWeights(data, { seed: 4 });
    const d = await trainedWeights(data, { seed: 3, modelSeed: 1 });
    const e = await trainedWeights(data, { seed: 3, modelSeed: 1 });
    expect(b).toEqual(a);
    expect(e).toEqual(d);
    expect(c['W_enc']).not.toEqual(a['W_enc']);
  });

  it('disk shards (batches across shard boundaries) give the same weights as memory without shuffling', async () => {
    using data = memory();
    const fromMemory = await trainedWeights(data, { shuffle: false });
    const fromDisk = await trainedWeights(() => readActivationShards(folder), { shuffle: false });
    expect(fromDisk).toEqual(fromMemory);
    // Shuffled, a stream is shuffled within each shard: still seeded.
    const shuffled = await trainedWeights(() => readActivationShards(folder), { seed: 9 });
    expect(await trainedWeights(() => readActivationShards(folder), { seed: 9 })).toEqual(shuffled);
  });

  it('reports every step (step, epoch, loss, mse, l0, deadFraction) and returns the history', async () => {
    using data = memory();
    const sae = small();
    const seen: TrainingProgress[] = [];
    try {
      const history = await trainSparseAutoencoder(sae, {
        data,
        key: 'resid',
        epochs: 3,
        batchSize: 100,
        onProgress: (progress) => seen.push(progress),
      });
      expect(seen.map((p) => p.step)).toEqual(Array.from({ length: 15 }, (_, i) => i + 1));
      expect(seen.map((p) => p.epoch)).toEqual([0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2]);
      expect(history).toMatchObject({ steps: 15, epochs: 3, activations: 1500 });
      expect(history.loss).toEqual(seen.map((p) => p.loss));
      for (const p of seen) {
        expect(p.loss).toBeGreaterThanOrEqual(p.mse * width);
        expect(p.l0).toBeGreaterThan(0);
        expect(p.deadFraction).toBeGreaterThanOrEqual(0);
        expect(p.deadFraction).toBeLessThanOrEqual(1);
      }
      expect(history.loss.at(-1)).toBeLessThan(history.loss[0] ?? 0);
    } finally {
      sae.dispose();
    }
  });

  it('leaves no tensor behind, optimizer state included, and unit-norm decoder rows after each step', async () => {
    using data = memory();
    const sae = small();
    try {
      const before = tf.memory().numTensors;
      await trainSparseAutoencoder(sae, {
        data,
        key: 'resid',
        batchSize: 128,
        onProgress: () => {
          const norms = tf.tidy(() => tf.norm(sae.decoderWeight(), 2, 1).dataSync());
          for (const norm of norms) expect(norm).toBeCloseTo(1, 5);
        },
      });
      expect(tf.memory().numTensors).toBe(before);
    } finally {
      sae.dispose();
    }
  });

  it('counts dead features over the last deadWindow activations', async () => {
    using data = memory();
    const sae = small(0, { topK: 1 });
    try {
      // Kill half the features: a very negative encoder bias keeps them below every other pre-activation.
      tf.tidy(() => {
        sae.encoderBias.assign(tf.concat([tf.zeros([32]), tf.fill([32], -1e4)]));
      });
      const history = await trainSparseAutoencoder(sae, {
        data,
        key: 'resid',
        batchSize: 100,
        learningRate: 0,
        deadWindow: 200,
      });
      expect(history.deadFraction).toBeGreaterThanOrEqual(0.5);
    } finally {
      sae.dispose();
    }
  });
});

describe('trainSparseAutoencoder: errors and abort', () => {
  it('a wrong key, a wrong width, bad options: typed errors, weights unchanged', async () => {
    using data = syntheticDict(64, 1);
    using narrow = new TensorDict({ resid: tf.zeros([8, 32]) }, { batchShape: [8] });
    const sae = small();
    try {
      const start = weights(sae);
      await expect(trainSparseAutoencoder(sae, { data, key: 'mlp' })).rejects.toMatchObject({
        code: 'E_MISSING_KEY',
      });
      await expect(trainSparseAutoencoder(sae, { data: narrow, key: 'resid' })).rejects.toMatchObject({
        code: 'E_SHAPE_MISMATCH',
      });
      await expect(trainSparseAutoencoder(sae, { data, key: 'resid', batchSize: 0 })).rejects.toMatchObject({
        code: 'E_INVALID_VALUE',
      });
      await expect(trainSparseAutoencoder(sae, { data: 'x' as never, key: 'resid' })).rejects.toMatchObject({
        code: 'E_INVALID_VALUE',
      });
      await expect(
        trainSparseAutoencoder(sae, { data, key: 'resid', learning_rate: 0.1 } as never),
      ).rejects.toMatchObject({
        code: 'E_INVALID_VALUE',
        message: expect.stringMatching(/has no option "learning_rate".*Use learningRate/) as unknown,
      });
      expect(weights(sae)).toEqual(start);
    } finally {
      sae.dispose();
    }
  });

  it('NaN in memory is refused before training; NaN in a stream puts the weights back', async () => {
    const values = syntheticRows(200, 1);
    values[150 * width + 3] = Number.NaN;
    using data = new TensorDict({ resid: tf.tensor2d(values, [200, width]) }, { batchShape: [200] });
    const sae = small();
    try {
      const start = weights(sae);
      await expect(trainSparseAutoencoder(sae, { data, key: 'resid' })).rejects.toMatchObject({
        code: 'E_INVALID_VALUE',
      });
      expect(weights(sae)).toEqual(start);
      // Streamed: the first dict is clean (trained on), the second holds the NaN.
      const stream = async function* (): AsyncGenerator<TensorDict> {
        yield await Promise.resolve(syntheticDict(128, 2));
        yield data.clone();
      };
      await expect(
        trainSparseAutoencoder(sae, { data: stream, key: 'resid', batchSize: 64 }),
      ).rejects.toMatchObject({ code: 'E_INVALID_VALUE' });
      expect(weights(sae)).toEqual(start);
    } finally {
      sae.dispose();
    }
  });

  it('a diverging loss throws E_SAE_DIVERGED and puts the weights back', async () => {
    // Finite data whose squares overflow float32: the loss is infinite from the first step.
    using data = new TensorDict({ resid: tf.fill([64, width], 1e25) }, { batchShape: [64] });
    const sae = small();
    try {
      const start = weights(sae);
      await expect(
        trainSparseAutoencoder(sae, { data, key: 'resid', initializeFromData: false }),
      ).rejects.toMatchObject({ code: 'E_SAE_DIVERGED', name: 'DictionaryTrainingError' });
      expect(weights(sae)).toEqual(start);
    } finally {
      sae.dispose();
    }
  });

  it('an AbortSignal stops between steps with E_SAE_ABORTED; the weights hold the last step', async () => {
    using data = syntheticDict(500, 1);
    const controller = new AbortController();
    const sae = small();
    let steps = 0;
    try {
      await expect(
        trainSparseAutoencoder(sae, {
          data,
          key: 'resid',
          batchSize: 50,
          signal: controller.signal,
          onProgress: ({ step }) => {
            steps = step;
            if (step === 3) controller.abort();
          },
        }),
      ).rejects.toMatchObject({ code: 'E_SAE_ABORTED' });
      expect(steps).toBe(3);
    } finally {
      sae.dispose();
    }
  });
});
