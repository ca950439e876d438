// The sae-training scenario's two variants do the same maths: from the same initial weights and the same
// (unshuffled) batches, the hand-written loop and trainSparseAutoencoder end with the same weights, bit for bit.
// No timings.
import * as tf from '@tensorflow/tfjs-core';
import { SparseAutoencoder } from '@tdhook/weights';
import { describe, expect, it } from 'vitest';

import {
  epochBatches,
  plainSaeTraining,
  saeActivationDict,
  saeActivations,
  saeTraining,
  tdhookSaeTraining,
} from '../src/scenarios/sae-training.js';

describe('sae-training', () => {
  for (const activation of ['relu', 'topk'] as const) {
    it(`${activation}: the plain loop and trainSparseAutoencoder train the same weights`, async () => {
      const rows = 600; // two full batches of 256 and a partial one
      const x = saeActivations(rows);
      const sae = new SparseAutoencoder({ inputSize: 128, features: 64, seed: 0 });
      const initial = sae.namedParameters().map(([, v]) => v.dataSync() as Float32Array);
      sae.dispose();
      try {
        const plain = await plainSaeTraining(x, initial, epochBatches(rows, undefined), activation);
        const data = await saeActivationDict(x);
        const ours = await tdhookSaeTraining(data, 64, activation, { shuffle: false });
        data.dispose();
        // Bit for bit: the same ops in the same order on one backend.
        for (const [index, tensor] of plain.entries()) {
          expect(Array.from((ours[index] as tf.Tensor).dataSync())).toEqual(Array.from(tensor.dataSync()));
        }
        tf.dispose([...plain, ...ours]);
      } finally {
        x.dispose();
      }
    });
  }

  it('runs both variants at the quick point and notes the throughput', async () => {
    const point = saeTraining.grid.quick[0];
    if (point === undefined) throw new Error('no quick point');
    for (const setup of Object.values(saeTraining.variants)) {
      const prepared = await setup({ ...point, rows: 512 });
      try {
        tf.dispose((await prepared.run()) as tf.Tensor[]);
        expect(prepared.note?.()).toMatch(/^[\d,]+ activations\/s/);
      } finally {
        prepared.dispose();
      }
    }
  });
});
