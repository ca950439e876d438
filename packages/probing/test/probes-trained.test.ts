import * as tf from '@tensorflow/tfjs-core';
import type {} from '@tdhook/testing/vitest';
import { describe, expect, it } from 'vitest';

import {
  bilinearEstimator,
  linearProbe,
  lowRankBilinearEstimator,
  type TrainingProgress,
} from '../src/index.js';
import { accuracyOf } from './probes-models.js';
import { referenceSplit, sklearnTestAccuracy } from './probes-reference.js';

const valuesOf = (tensor: tf.Tensor): number[] => Array.from(tensor.dataSync());

describe('linearProbe (TorchEstimator + LinearEstimator)', () => {
  // sklearn (C = 1, lbfgs, float64) on the 100 test rows: 0.93 (binary), 0.84 (4 classes). Measured here, on wasm
  // and cpu alike: 0.94 and 0.84.
  it.each([
    ['binary', 2],
    ['multiclass', 4],
  ] as const)(
    'reaches scikit-learn logistic regression test accuracy on the reference %s set within 0.03, seeded and repeatable',
    (name, classes) => {
      const split = referenceSplit(name);
      const options = { classes, epochs: 100, learningRate: 1e-2, batchSize: 32, seed: 0 };
      const predictions: number[][] = [];
      for (let run = 0; run < 2; run++) {
        const probe = linearProbe(options);
        probe.fit(split.xTrain, split.yTrain);
        const predicted = probe.predict(split.xTest);
        expect(predicted.dtype).toBe('int32');
        expect(predicted.shape).toEqual([100]);
        const accuracy = accuracyOf(predicted, split.yTest);
        expect(Math.abs(accuracy - sklearnTestAccuracy(name))).toBeLessThanOrEqual(0.03);
        predictions.push(valuesOf(predicted));
        predicted.dispose();
        probe.dispose();
      }
      expect(predictions[1]).toEqual(predictions[0]); // the same seed gives the same probe
      for (const tensor of Object.values(split)) tensor.dispose();
    },
  );

  it('scenario 129: progress reports "Epoch 10/10" every 10 epochs with the mean loss', () => {
    const reports: TrainingProgress[] = [];
    const probe = linearProbe({
      classes: 2,
      epochs: 20,
      batchSize: 2,
      onProgress: (p) => {
        reports.push(p);
      },
    });
    const x = tf.tensor2d([
      [1, 0, 0],
      [0, 1, 0],
      [0, 0, 1],
      [1, 1, 0],
      [0, 1, 1],
      [1, 0, 1],
    ]);
    const y = tf.tensor1d([0, 1, 1, 0, 1, 0], 'int32');
    probe.fit(x, y);
    expect(reports.map((report) => report.message)).toEqual(['Epoch 10/20', 'Epoch 20/20']);
    expect(reports.every((report) => Number.isFinite(report.loss) && report.loss > 0)).toBe(true);
    const short: string[] = [];
    const tenEpochs = linearProbe({
      classes: 2,
      epochs: 10,
      batchSize: 2,
      onProgress: (p) => {
        short.push(p.message);
      },
    });
    tenEpochs.fit(x, y);
    expect(short).toEqual(['Epoch 10/10']);
    probe.dispose();
    tenEpochs.dispose();
    x.dispose();
    y.dispose();
  });

  it('scenario 129: rejects two inputs and target shapes that do not match the output, for regression and classification', () => {
    const x = tf.randomNormal([5, 3]);
    const probe = linearProbe({ classes: 3 });
    expect(() => {
      (probe.fit as (...args: unknown[]) => void)(x, x, x);
    }).toThrowTdhookError('E_INVALID_VALUE', /Linear probe expects 1 input tensor, got 2/);
    const wrongLabels = tf.zeros([5, 2]);
    expect(() => {
      probe.fit(x, wrongLabels);
    }).toThrowTdhookError('E_SHAPE_MISMATCH', /Output shape \[5, 3\] does not match target shape \[5, 2\]/);
    const outOfRange = tf.tensor1d([0, 1, 2, 3, 0], 'int32');
    expect(() => {
      probe.fit(x, outOfRange);
    }).toThrowTdhookError('E_INVALID_VALUE', /Label 3 is not a class index 0…2/);
    expect(() => {
      probe.predict(x);
    }).toThrowTdhookError('E_INVALID_VALUE', /not fitted/);
    const regression = linearProbe();
    const flatTargets = tf.randomNormal([5]);
    expect(() => {
      regression.fit(x, flatTargets);
    }).toThrowTdhookError('E_SHAPE_MISMATCH', /Output shape \[5, 1\] does not match target shape \[5\]/);
    expect(() => linearProbe({ classes: 2, outputs: 2 })).toThrowTdhookError(
      'E_INVALID_VALUE',
      /exclude each other/,
    );
    expect(() => linearProbe({ epochs: 1.5 })).toThrowTdhookError(
      'E_INVALID_VALUE',
      /epochs must be a whole number/,
    );
    for (const tensor of [x, wrongLabels, outOfRange, flatTargets]) tensor.dispose();
    probe.dispose();
    regression.dispose();
  });

  it('regression: learns y = x·w + b by mean squared error, [n, outputs] in and out', () => {
    const x = tf.randomUniform([64, 3], -1, 1, 'float32', 1);
    const y = tf.tidy(() => tf.add(tf.matMul(x, tf.tensor2d([[1], [-2], [0.5]])), 0.3));
    const probe = linearProbe({ epochs: 200, learningRate: 5e-2, batchSize: 16, seed: 3 });
    probe.fit(x, y);
    const { weight, bias } = probe.parameters;
    expect(weight).toBeCloseToTensor([[1], [-2], [0.5]], { atol: 2e-2, rtol: 0 });
    expect(bias).toBeCloseToTensor([0.3], { atol: 2e-2, rtol: 0 });
    const predicted = probe.predict(x);
    expect(predicted.shape).toEqual([64, 1]);
    expect(predicted).toBeCloseToTensor(
      valuesOf(y).map((v) => [v]),
      { atol: 5e-2, rtol: 0 },
    );
    predicted.dispose();
    probe.dispose();
    x.dispose();
    y.dispose();
  });
});

describe('bilinearEstimator and lowRankBilinearEstimator', () => {
  const h1Values = [
    [0.5, -1, 2, 0],
    [1, 0.25, -0.5, 1.5],
  ];
  const h2Values = [
    [1, 2, -1, 0.5, 0],
    [-0.5, 0, 1, 1, 2],
  ];

  it('bilinear: y_k = h1ᵀ W_k h2 + b_k (nn.Bilinear), checked against a float64 sum over the parameters', () => {
    const pair = bilinearEstimator({ inputs: [4, 5], outputs: 3, seed: 7 });
    const h1 = tf.tensor2d(h1Values);
    const h2 = tf.tensor2d(h2Values);
    const y = pair.forward(h1, h2);
    const { weight, bias } = pair.parameters;
    expect(weight?.shape).toEqual([3, 4, 5]);
    const w = weight?.arraySync() as number[][][];
    const b = bias?.arraySync() as number[];
    const expected = h1Values.map((a, n) =>
      w.map((wk, k) => {
        let sum = b[k] as number;
        for (let i = 0; i < 4; i++)
          for (let j = 0; j < 5; j++)
            sum += (a[i] as number) * (wk[i]?.[j] as number) * (h2Values[n]?.[j] as number);
        return sum;
      }),
    );
    expect(y).toBeCloseToTensor(expected, { atol: 1e-5, rtol: 1e-5 });
    // Initial values in ±1/√d1 as torch draws them.
    expect(Math.max(...w.flat(2).map(Math.abs))).toBeLessThanOrEqual(0.5);
    y.dispose();
    h1.dispose();
    h2.dispose();
    pair.dispose();
  });

  it('bilinear: learns a bilinear class boundary (sign of h1ᵀ A h2) to over 90% accuracy', () => {
    const h1 = tf.randomNormal([256, 4], 0, 1, 'float32', 11);
    const h2 = tf.randomNormal([256, 4], 0, 1, 'float32', 12);
    const labels = tf.tidy(() =>
      tf.cast(tf.greater(tf.sum(tf.mul(tf.matMul(h1, tf.eye(4)), h2), 1), 0), 'int32'),
    );
    const pair = bilinearEstimator({ classes: 2, epochs: 60, learningRate: 2e-2, batchSize: 32, seed: 1 });
    pair.fit(h1, h2, labels);
    const predicted = pair.predict(h1, h2);
    expect(accuracyOf(predicted, labels)).toBeGreaterThan(0.9);
    predicted.dispose();
    pair.dispose();
    for (const tensor of [h1, h2, labels]) tensor.dispose();
  });

  it('scenario 129: low-rank bilinear (h1·U + u) ⊙ (h2·V + v) + b gives (7, 3), with and without bias', () => {
    const h1 = tf.randomNormal([7, 4]);
    const h2 = tf.randomNormal([7, 5]);
    for (const bias of [true, false]) {
      const pair = lowRankBilinearEstimator({ inputs: [4, 5], classes: 3, bias, seed: 2 });
      expect('bias' in pair.parameters).toBe(bias);
      const y = pair.forward(h1, h2);
      expect(y.shape).toEqual([7, 3]);
      const { u, uBias, v, vBias } = pair.parameters as Record<string, tf.Tensor>;
      const expected = tf.tidy(() =>
        tf.mul(
          tf.add(tf.matMul(h1, u as tf.Tensor), uBias as tf.Tensor),
          tf.add(tf.matMul(h2, v as tf.Tensor), vBias as tf.Tensor),
        ),
      );
      // The output bias starts at 0.
      expect(y).toBeCloseToTensor(expected.arraySync(), { atol: 1e-5, rtol: 1e-5 });
      expected.dispose();
      y.dispose();
      pair.dispose();
    }
    h1.dispose();
    h2.dispose();
  });

  it('low-rank bilinear: regression fits a product of two linear forms', () => {
    const h1 = tf.randomNormal([200, 3], 0, 1, 'float32', 21);
    const h2 = tf.randomNormal([200, 2], 0, 1, 'float32', 22);
    const y = tf.tidy(() =>
      tf.mul(tf.matMul(h1, tf.tensor2d([[1], [0], [-1]])), tf.matMul(h2, tf.tensor2d([[0.5], [1]]))),
    );
    const pair = lowRankBilinearEstimator({ epochs: 150, learningRate: 3e-2, batchSize: 20, seed: 4 });
    pair.fit(h1, h2, y);
    const predicted = pair.predict(h1, h2);
    const mse = tf.tidy(() => tf.mean(tf.squaredDifference(predicted, y)).dataSync()[0] as number);
    const variance = tf.tidy(() => tf.moments(y).variance.dataSync()[0] as number);
    expect(mse / variance).toBeLessThan(0.05); // R² above 0.95
    predicted.dispose();
    pair.dispose();
    for (const tensor of [h1, h2, y]) tensor.dispose();
  });
});
