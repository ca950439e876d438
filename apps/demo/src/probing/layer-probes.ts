// Linear probes per layer: logistic regression (scikit-learn's objective) on the flattened activations, exact
// on narrow layers and approximate on wide ones, against the same probe trained on shuffled labels (a
// control: what a probe this wide fits without any concept).
import * as tf from '@tensorflow/tfjs-core';
import { seededRandom } from '@tdhook/core/plugin';
import {
  accuracy,
  balancedAccuracy,
  logisticRegression,
  type LogisticRegressionOptions,
} from '@tdhook/probing';

/** One layer's activations, one row per example, row-major `[rows, features]`. */
export interface LayerRows {
  readonly name: string;
  readonly rows: tf.Tensor2D;
}

/** One layer's probe and control, on the held-out rows. */
export interface ProbeResult {
  readonly layer: string;
  readonly features: number;
  readonly accuracy: number;
  /** The mean of the two classes' recalls: 0.5 for a probe that ignores its input. */
  readonly balancedAccuracy: number;
  readonly control: number;
  readonly controlBalanced: number;
  /** How the probe was fitted, e.g. 'Newton, converged' or 'mini-batch Adam, 5 epochs (approximate)'. */
  readonly solver: string;
  /** Whether the probe was fitted to scikit-learn's optimum (false for the mini-batch solver). */
  readonly exact: boolean;
}

/**
 * Layers wider than this are fitted by a few epochs of mini-batch Adam (approximate, about 1 s a layer);
 * narrower ones by Newton's method to scikit-learn's optimum. Fitted to the optimum (L-BFGS, or Newton in
 * its n × n form), the MNIST CNN's five wide layers took about 50 s here, 100 s with their controls: too
 * slow for a demo that must stay under 3 minutes.
 */
const exactMaxFeatures = 256;
const minibatchEpochs = 5;

function options(features: number): LogisticRegressionOptions {
  return features > exactMaxFeatures
    ? { solver: 'minibatch', epochs: minibatchEpochs, batchSize: 128, learningRate: 0.01, seed: 1 }
    : { solver: 'auto', tolerance: 1e-6, maxIterations: 100 };
}

/** The solver as the report names it. */
function describeSolver(solver: string, converged: boolean): string {
  if (solver === 'minibatch') return `mini-batch Adam, ${String(minibatchEpochs)} epochs (approximate)`;
  const name = solver === 'newton' ? 'Newton' : solver === 'lbfgs' ? 'L-BFGS' : solver;
  return `${name}, ${converged ? 'converged' : 'not converged'}`;
}

/** `labels` shuffled with a fixed seed (Fisher–Yates). */
export function shuffledLabels(labels: Int32Array, seed: number): Int32Array {
  const random = seededRandom(seed);
  const shuffled = Int32Array.from(labels);
  for (let i = shuffled.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [shuffled[i], shuffled[j]] = [shuffled[j] as number, shuffled[i] as number];
  }
  return shuffled;
}

function heldOutAccuracy(
  train: tf.Tensor2D,
  trainLabels: Int32Array,
  test: tf.Tensor2D,
  testLabels: Int32Array,
): { accuracy: number; balanced: number; solver: string; exact: boolean } {
  const probe = logisticRegression(options(train.shape[1]));
  const y = tf.tensor1d(trainLabels, 'int32');
  try {
    probe.fit(train, y);
    const predicted = probe.predict(test);
    try {
      return {
        accuracy: accuracy(predicted, testLabels),
        balanced: balancedAccuracy(predicted, testLabels),
        solver: describeSolver(probe.solverUsed, probe.converged),
        exact: probe.solverUsed !== 'minibatch' && probe.converged,
      };
    } finally {
      predicted.dispose();
    }
  } finally {
    y.dispose();
    probe.dispose();
  }
}

/**
 * For each layer: a logistic-regression probe trained on the first `trainRows` rows and scored on the rest,
 * and the control: the same probe trained on the training labels shuffled (seeded), scored on the true
 * held-out labels.
 */
export function probeLayers(
  layers: readonly LayerRows[],
  labels: Int32Array,
  trainRows: number,
  seed: number,
): ProbeResult[] {
  const trainLabels = labels.slice(0, trainRows);
  const testLabels = labels.slice(trainRows);
  const control = shuffledLabels(trainLabels, seed);
  return layers.map(({ name, rows }) => {
    const [train, test] = tf.split(rows, [trainRows, rows.shape[0] - trainRows]) as [
      tf.Tensor2D,
      tf.Tensor2D,
    ];
    try {
      const probe = heldOutAccuracy(train, trainLabels, test, testLabels);
      const shuffled = heldOutAccuracy(train, control, test, testLabels);
      return {
        layer: name,
        features: rows.shape[1],
        accuracy: probe.accuracy,
        balancedAccuracy: probe.balanced,
        control: shuffled.accuracy,
        controlBalanced: shuffled.balanced,
        solver: probe.solver,
        exact: probe.exact,
      };
    } finally {
      tf.dispose([train, test]);
    }
  });
}

/** The accuracy of always answering the training set's majority class. */
export function majorityAccuracy(labels: Int32Array, trainRows: number): number {
  const positives = labels.slice(0, trainRows).reduce((total, label) => total + label, 0);
  const majority = positives * 2 >= trainRows ? 1 : 0;
  const test = labels.slice(trainRows);
  return test.reduce((hits, label) => hits + (label === majority ? 1 : 0), 0) / test.length;
}
