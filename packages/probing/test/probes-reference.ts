// The binary data set of packages/testing/reference/probing/probing.json and its scikit-learn results.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import * as tf from '@tensorflow/tfjs-core';
import { referenceDirectory } from '@tdhook/testing';

interface Array2 {
  readonly shape: number[];
  readonly data: number[][] | number[];
}

interface ProbingReference {
  readonly datasets: Readonly<
    Record<
      string,
      { readonly x: Array2; readonly y: Array2; readonly train_idx: number[]; readonly test_idx: number[] }
    >
  >;
  readonly results: readonly {
    readonly id: string;
    readonly train_accuracy?: number;
    readonly test_accuracy?: number;
  }[];
}

let parsed: ProbingReference | undefined;
const reference = (): ProbingReference =>
  (parsed ??= JSON.parse(
    readFileSync(join(referenceDirectory(), 'probing', 'probing.json'), 'utf8'),
  ) as ProbingReference);

/** Train and test tensors of a data set (the caller disposes them); labels int32. */
export function referenceSplit(name: 'binary' | 'multiclass'): {
  xTrain: tf.Tensor2D;
  yTrain: tf.Tensor1D;
  xTest: tf.Tensor2D;
  yTest: tf.Tensor1D;
} {
  const set = reference().datasets[name];
  if (set === undefined) throw new Error(`no data set ${name}`);
  const rows = set.x.data as number[][];
  const labels = set.y.data as number[];
  const pick = (index: number[]) => ({
    x: tf.tensor2d(
      index.map((i) => rows[i] as number[]),
      undefined,
      'float32',
    ),
    y: tf.tensor1d(
      index.map((i) => labels[i] as number),
      'int32',
    ),
  });
  const train = pick(set.train_idx);
  const test = pick(set.test_idx);
  return { xTrain: train.x, yTrain: train.y, xTest: test.x, yTest: test.y };
}

/** scikit-learn's LogisticRegression (C = 1) accuracy on a data set's test rows. */
export function sklearnTestAccuracy(name: 'binary' | 'multiclass'): number {
  const result = reference().results.find((entry) => entry.id === `logistic_regression/${name}`);
  if (result?.test_accuracy === undefined) throw new Error(`no logistic regression result for ${name}`);
  return result.test_accuracy;
}
