// Models and stand-in estimators the probes tests share.
import * as tf from '@tensorflow/tfjs-core';
import { Lambda, Module, Sequential } from '@tdhook/core';
import { seededTensor } from '@tdhook/testing';

import type { Estimator, PairEstimator } from '../src/estimators/estimator.js';

/** x·W + b with seeded weights. */
export class Linear extends Module {
  readonly weight: tf.Variable;
  readonly bias: tf.Variable;
  constructor(inputs: number, outputs: number, seed: number) {
    super();
    this.weight = this.registerParameter('weight', seededTensor([inputs, outputs], seed, 1));
    this.bias = this.registerParameter('bias', seededTensor([outputs], seed + 1, 0.2));
  }
  forward(x: tf.Tensor): tf.Tensor {
    return tf.add(tf.matMul(x, this.weight), this.bias);
  }
}

/** SPEC's test MLP M: linear1 (10→20) → ReLU → linear2 (20→20) → ReLU → linear3 (20→5). */
export const testMlp = (): Sequential =>
  new Sequential({
    linear1: new Linear(10, 20, 1),
    relu1: new Lambda('relu', (x: tf.Tensor) => tf.relu(x)),
    linear2: new Linear(20, 20, 3),
    relu2: new Lambda('relu', (x: tf.Tensor) => tf.relu(x)),
    linear3: new Linear(20, 5, 5),
  });

/** An estimator that records its calls and predicts class 0 for every row. */
export class ZeroEstimator implements Estimator {
  readonly name = 'zero';
  fitted = false;
  readonly fits: number[][] = [];
  fit(x: tf.Tensor): void {
    this.fits.push([...x.shape]);
    this.fitted = true;
  }
  predict(x: tf.Tensor): tf.Tensor {
    return tf.zeros([x.shape[0]], 'int32');
  }
  dispose(): void {}
}

/** A pair estimator that records its calls and predicts class 0 for every row. */
export class ZeroPairEstimator implements PairEstimator {
  readonly name = 'zero-pair';
  fitted = false;
  readonly calls: [string, number[], number[]][] = [];
  fit(h1: tf.Tensor, h2: tf.Tensor): void {
    this.calls.push(['fit', [...h1.shape], [...h2.shape]]);
    this.fitted = true;
  }
  predict(h1: tf.Tensor, h2: tf.Tensor): tf.Tensor {
    this.calls.push(['predict', [...h1.shape], [...h2.shape]]);
    return tf.zeros([h1.shape[0]], 'int32');
  }
  dispose(): void {}
}

/** The share of equal entries: a number. */
export function accuracyOf(predictions: tf.Tensor, labels: tf.Tensor | undefined): number {
  if (labels === undefined) throw new Error('no labels');
  return tf.tidy(
    () =>
      tf
        .mean(tf.cast(tf.equal(tf.cast(predictions, 'int32'), tf.cast(labels, 'int32')), 'float32'))
        .dataSync()[0] as number,
  );
}

/** A scalar tensor's value. */
export const scalarOf = (value: tf.Tensor): number => value.dataSync()[0] as number;
