// The SparseAutoencoder / Transcoder modules against a plain JavaScript computation of the same formulas, on
// leading axes, and dictionaryMetrics against its definitions.
import * as tf from '@tensorflow/tfjs-core';
import { TensorDict } from '@tdhook/core';
import { seededRandom } from '@tdhook/core/plugin';
import { describe, expect, it } from 'vitest';
import type {} from '@tdhook/testing/vitest';

import { dictionaryMetrics, SparseAutoencoder, Transcoder } from '../src/index.js';

const random = seededRandom(7);
const values = (n: number): Float32Array => Float32Array.from({ length: n }, () => 2 * random() - 1);

/** f = act((x − b_pre) W_enc + b_enc), out = f W_dec + b_dec, row by row in float64. */
function reference(
  x: Float32Array,
  rows: number,
  parameters: Record<string, Float32Array>,
  sizes: {
    input: number;
    output: number;
    features: number;
    topK?: number | undefined;
    preBias: boolean;
    tied: boolean;
  },
): { f: Float64Array; out: Float64Array } {
  const { input, output, features } = sizes;
  const wEnc = parameters['W_enc'] as Float32Array;
  const bEnc = parameters['b_enc'] as Float32Array;
  const bDec = parameters['b_dec'] as Float32Array;
  const wDec = parameters['W_dec'];
  const f = new Float64Array(rows * features);
  const out = new Float64Array(rows * output);
  for (let r = 0; r < rows; r++) {
    const pre = new Float64Array(features);
    for (let j = 0; j < features; j++) {
      let total = bEnc[j] ?? 0;
      for (let i = 0; i < input; i++) {
        const xi = (x[r * input + i] ?? 0) - (sizes.preBias ? (bDec[i] ?? 0) : 0);
        total += xi * (wEnc[i * features + j] ?? 0);
      }
      pre[j] = total;
    }
    const kth = sizes.topK === undefined ? -Infinity : [...pre].sort((a, b) => b - a)[sizes.topK - 1];
    for (let j = 0; j < features; j++) {
      const value = pre[j] ?? 0;
      f[r * features + j] = value > 0 && value >= (kth ?? -Infinity) ? value : 0;
    }
    for (let o = 0; o < output; o++) {
      let total = bDec[o] ?? 0;
      for (let j = 0; j < features; j++) {
        const weight = sizes.tied ? (wEnc[o * features + j] ?? 0) : (wDec?.[j * output + o] ?? 0);
        total += (f[r * features + j] ?? 0) * weight;
      }
      out[r * output + o] = total;
    }
  }
  return { f, out };
}

/** Gives every parameter seeded values (biases too, so the pre-encoder bias matters). */
function randomise(module: SparseAutoencoder | Transcoder): Record<string, Float32Array> {
  const out: Record<string, Float32Array> = {};
  for (const [name, variable] of module.namedParameters()) {
    const data = values(variable.size);
    tf.tidy(() => {
      variable.assign(tf.tensor(data, variable.shape));
    });
    out[name] = data;
  }
  return out;
}

function expectClose(actual: tf.Tensor, expected: Float64Array): void {
  const got = actual.dataSync();
  expect(got.length).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs((got[i] ?? 0) - (expected[i] ?? 0)));
  expect(worst).toBeLessThan(1e-4);
}

describe('SparseAutoencoder and Transcoder: the formulas on any leading axes', () => {
  const cases = [
    { name: 'ReLU, untied', activation: 'relu' as const, tied: false },
    { name: 'TopK 3, untied', activation: { topK: 3 }, tied: false },
    { name: 'ReLU, tied', activation: 'relu' as const, tied: true },
  ];
  for (const { name, activation, tied } of cases) {
    it(`autoencoder ${name}: encode, decode, call on [2, 3, 8]`, () => {
      const sae = new SparseAutoencoder({ inputSize: 8, features: 12, activation, tied, seed: 3 });
      try {
        const parameters = randomise(sae);
        const data = values(2 * 3 * 8);
        const x = tf.tensor3d(data, [2, 3, 8]);
        const expected = reference(data, 6, parameters, {
          input: 8,
          output: 8,
          features: 12,
          topK: activation === 'relu' ? undefined : activation.topK,
          preBias: true,
          tied,
        });
        const f = sae.encode(x);
        const decoded = sae.decode(f);
        const out = sae.call(x);
        expect(f.shape).toEqual([2, 3, 12]);
        expect(out.shape).toEqual([2, 3, 8]);
        expectClose(f, expected.f);
        expectClose(decoded, expected.out);
        expectClose(out, expected.out);
        tf.dispose([x, f, decoded, out]);
      } finally {
        sae.dispose();
      }
    });
  }

  it('transcoder: no pre-encoder bias, another output width', () => {
    const transcoder = new Transcoder({ inputSize: 6, outputSize: 4, features: 10, seed: 1 });
    try {
      expect(transcoder.namedParameters().map(([name, v]) => [name, v.shape])).toEqual([
        ['W_enc', [6, 10]],
        ['b_enc', [10]],
        ['W_dec', [10, 4]],
        ['b_dec', [4]],
      ]);
      const parameters = randomise(transcoder);
      const data = values(5 * 6);
      const x = tf.tensor2d(data, [5, 6]);
      const expected = reference(data, 5, parameters, {
        input: 6,
        output: 4,
        features: 10,
        preBias: false,
        tied: false,
      });
      const out = transcoder.call(x);
      expectClose(out, expected.out);
      tf.dispose([x, out]);
    } finally {
      transcoder.dispose();
    }
  });

  it('starts with unit-norm decoder directions, the encoder their transpose, zero biases, seeded', () => {
    const a = new SparseAutoencoder({ inputSize: 16, features: 32, seed: 5 });
    const b = new SparseAutoencoder({ inputSize: 16, features: 32, seed: 5 });
    const c = new SparseAutoencoder({ inputSize: 16, features: 32, seed: 6 });
    try {
      const decoder = a.decoderWeight();
      const norms = tf.tidy(() => tf.norm(decoder, 2, 1).dataSync());
      for (const norm of norms) expect(norm).toBeCloseTo(1, 5);
      const transposed = tf.transpose(decoder);
      expect(a.encoderWeight).toBeCloseToTensor(transposed, { atol: 0 });
      transposed.dispose();
      expect(Array.from(a.encoderBias.dataSync())).toEqual(new Array(32).fill(0));
      expect(Array.from(a.decoderBias.dataSync())).toEqual(new Array(16).fill(0));
      expect(Array.from(b.decoderWeight().dataSync())).toEqual(Array.from(decoder.dataSync()));
      expect(Array.from(c.decoderWeight().dataSync())).not.toEqual(Array.from(decoder.dataSync()));
    } finally {
      a.dispose();
      b.dispose();
      c.dispose();
    }
  });

  it('rejects bad options and inputs of the wrong width with typed errors', () => {
    expect(() => new SparseAutoencoder({ inputSize: 0, features: 4 })).toThrowTdhookError('E_INVALID_VALUE');
    expect(
      () => new SparseAutoencoder({ inputSize: 4, features: 4, activation: { topK: 5 } }),
    ).toThrowTdhookError('E_INVALID_VALUE');
    expect(() => new SparseAutoencoder({ inputSize: 4, features: 4, seed: 0.5 })).toThrowTdhookError(
      'E_INVALID_VALUE',
    );
    const sae = new SparseAutoencoder({ inputSize: 4, features: 8 });
    try {
      const x = tf.zeros([2, 5]);
      expect(() => sae.call(x)).toThrowTdhookError('E_SHAPE_MISMATCH');
      expect(() => sae.decode(x)).toThrowTdhookError('E_SHAPE_MISMATCH');
      x.dispose();
    } finally {
      sae.dispose();
    }
  });
});

describe('dictionaryMetrics', () => {
  it('matches its definitions computed in float64 (MSE, explained variance, L0, frequencies)', async () => {
    const sae = new SparseAutoencoder({ inputSize: 8, features: 12, seed: 3 });
    try {
      const parameters = randomise(sae);
      const rows = 50;
      const data = values(rows * 8);
      const expected = reference(data, rows, parameters, {
        input: 8,
        output: 8,
        features: 12,
        preBias: true,
        tied: false,
      });
      const mean = new Float64Array(8);
      for (let r = 0; r < rows; r++)
        for (let i = 0; i < 8; i++) mean[i] = (mean[i] ?? 0) + (data[r * 8 + i] ?? 0) / rows;
      let error = 0;
      let spread = 0;
      for (let r = 0; r < rows; r++) {
        for (let i = 0; i < 8; i++) {
          error += ((data[r * 8 + i] ?? 0) - (expected.out[r * 8 + i] ?? 0)) ** 2;
          spread += ((data[r * 8 + i] ?? 0) - (mean[i] ?? 0)) ** 2;
        }
      }
      const frequency = Array.from({ length: 12 }, (_, j) => {
        let count = 0;
        for (let r = 0; r < rows; r++) if ((expected.f[r * 12 + j] ?? 0) > 0) count++;
        return count / rows;
      });
      using dict = new TensorDict({ x: tf.tensor2d(data, [rows, 8]) }, { batchShape: [rows] });
      // batchSize 16: several batches, a partial one last.
      const metrics = await dictionaryMetrics(sae, { data: dict, key: 'x', batchSize: 16 });
      expect(metrics.rows).toBe(rows);
      expect(metrics.mse).toBeCloseTo(error / (rows * 8), 5);
      expect(metrics.explainedVariance).toBeCloseTo(1 - error / spread, 5);
      expect(metrics.l0).toBeCloseTo(
        frequency.reduce((a, b) => a + b, 0),
        5,
      );
      Array.from(metrics.featureFrequency).forEach((value, j) => {
        expect(value).toBeCloseTo(frequency[j] ?? 0, 6);
      });
      expect(metrics.deadFraction).toBe(frequency.filter((value) => value === 0).length / 12);
    } finally {
      sae.dispose();
    }
  });

  it('needs a target key for a transcoder, and a key that exists', async () => {
    const transcoder = new Transcoder({ inputSize: 4, outputSize: 4, features: 8 });
    using dict = new TensorDict({ a: tf.zeros([3, 4]) }, { batchShape: [3] });
    try {
      await expect(dictionaryMetrics(transcoder, { data: dict, inputKey: 'a' })).rejects.toMatchObject({
        code: 'E_INVALID_VALUE',
      });
      await expect(
        dictionaryMetrics(transcoder, { data: dict, inputKey: 'a', targetKey: 'b' }),
      ).rejects.toMatchObject({ code: 'E_MISSING_KEY' });
    } finally {
      transcoder.dispose();
    }
  });
});
