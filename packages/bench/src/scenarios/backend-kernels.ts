// Model gradients on wasm with @tdhook/backend's kernel patches and without them: the comparison of the
// backend package's own benchmark (packages/backend/bench), same shapes, as a scenario measured in fresh
// processes. Only wasm has something to compare; elsewhere the setup refuses, and runSuite records why.
import * as tf from '@tensorflow/tfjs-core';
import { restorePatches } from '@tdhook/backend';
import { defaultPatches, installPatches } from '@tdhook/backend/patches';
import { withGradientCleanup } from '@tdhook/core/plugin';

import { defineScenario, type PreparedVariant, type Scenario } from '../scenario.js';

/**
 * A grid point of {@link backendKernels}: which model's gradients.
 *
 * @example
 * const point: BackendKernelsParams = { case: 'cnn-input-gradients' };
 */
export type BackendKernelsParams = {
  readonly case: 'mlp-weight-gradients' | 'cnn-input-gradients' | 'embedding-gradients';
};

interface GradientCase {
  /** The gradients, inside tf.tidy by the caller. */
  gradients(): tf.Tensor[];
  dispose(): void;
}

const normal = (shape: number[], seed: number, std = 0.1): tf.Tensor =>
  tf.randomNormal(shape, 0, std, 'float32', seed);

// MLP 784→256→10, softmax cross-entropy, gradients w.r.t. both weight matrices, batch 64.
function mlpCase(): GradientCase {
  const x = normal([64, 784], 7, 1);
  const w1 = normal([784, 256], 8, 0.05);
  const w2 = normal([256, 10], 9);
  // Cast afterwards: the wasm OneHot kernel of tfjs 4.22 ignores dtype 'float32' and writes integer bits.
  const classes = tf.tensor1d(
    Array.from({ length: 64 }, (_, i) => i % 10),
    'int32',
  );
  const labels = tf.tidy(() => tf.cast(tf.oneHot(classes, 10), 'float32'));
  classes.dispose();
  const loss = (a: tf.Tensor, b: tf.Tensor): tf.Tensor => {
    const logits = tf.matMul(tf.relu(tf.matMul(x, a)), b);
    return tf.neg(tf.mean(tf.sum(tf.mul(labels, tf.logSoftmax(logits)), 1)));
  };
  const gradients = tf.grads(loss);
  return {
    gradients: () => gradients([w1, w2]),
    dispose: () => {
      tf.dispose([x, w1, w2, labels]);
    },
  };
}

// conv(16)→relu→max-pool→conv(32)→relu→global average→dense(10) on [8,32,32,3]: the input gradient
// (saliency's computation). Stock wasm has the kernels this needs (not the weight gradient's), so the patched
// conv input and max-pool gradients are compared with its own; equal here, as ReLU zeroes what they disagree on.
function cnnCase(): GradientCase {
  const x = normal([8, 32, 32, 3], 10, 1) as tf.Tensor4D;
  const w1 = normal([3, 3, 3, 16], 11, 0.2) as tf.Tensor4D;
  const w2 = normal([3, 3, 16, 32], 12, 0.1) as tf.Tensor4D;
  const w3 = normal([32, 10], 13, 0.2) as tf.Tensor2D;
  const loss = (input: tf.Tensor): tf.Tensor => {
    const pooled = tf.maxPool(tf.relu(tf.conv2d(input as tf.Tensor4D, w1, 1, 'same')), 2, 2, 'valid');
    const features = tf.mean(tf.relu(tf.conv2d(pooled, w2, 1, 'same')), [1, 2]);
    return tf.sum(tf.matMul(features as tf.Tensor2D, w3));
  };
  const gradient = tf.grad(loss);
  return {
    gradients: () => [gradient(x)],
    dispose: () => {
      tf.dispose([x, w1, w2, w3]);
    },
  };
}

// An embedding table 5000×64 and 512 token ids: the gradient w.r.t. the table (gather's gradient is an
// UnsortedSegmentSum, which stock wasm lacks).
function embeddingCase(): GradientCase {
  const table = normal([5000, 64], 6);
  const ids = tf.tensor1d(
    Array.from({ length: 512 }, (_, i) => (i * 7919) % 5000),
    'int32',
  );
  const gradient = tf.grad((t: tf.Tensor) => tf.sum(tf.gather(t, ids)));
  return {
    gradients: () => [gradient(table)],
    dispose: () => {
      tf.dispose([table, ids]);
    },
  };
}

const cases: Record<BackendKernelsParams['case'], () => GradientCase> = {
  'mlp-weight-gradients': mlpCase,
  'cnn-input-gradients': cnnCase,
  'embedding-gradients': embeddingCase,
};

function requireWasm(): void {
  const backend = tf.getBackend();
  if (backend !== 'wasm') {
    throw new Error(
      `backend-kernels compares patched and stock wasm kernels, but the active backend is '${backend}': run it with --backend wasm.`,
    );
  }
}

// A failed gradient leaves tfjs's tape active: withGradientCleanup releases it, tidy the forward result.
const computeGradients = (gradientCase: GradientCase): tf.Tensor[] =>
  tf.tidy(() => withGradientCleanup(() => gradientCase.gradients()));

async function setupPatched(params: BackendKernelsParams): Promise<PreparedVariant> {
  requireWasm();
  await installPatches('wasm', defaultPatches);
  const gradientCase = cases[params.case]();
  return {
    run: () => computeGradients(gradientCase),
    dispose: () => {
      gradientCase.dispose();
      restorePatches();
    },
  };
}

function setupStock(params: BackendKernelsParams): PreparedVariant {
  requireWasm();
  restorePatches();
  const gradientCase = cases[params.case]();
  // One call here, where a missing kernel can be reported as such rather than as a failed run.
  try {
    tf.dispose(computeGradients(gradientCase));
  } catch (error) {
    gradientCase.dispose();
    const message = error instanceof Error ? error.message : String(error);
    const missing = /Kernel '(\w+)' not registered/.exec(message)?.[1];
    if (missing === undefined) throw error;
    throw new Error(
      `Stock wasm has no '${missing}' kernel, which ${params.case} needs (@tdhook/backend's patches add it): nothing to measure.`,
    );
  }
  return {
    run: () => computeGradients(gradientCase),
    dispose: () => {
      gradientCase.dispose();
    },
  };
}

/**
 * Model gradients on the wasm backend with @tdhook/backend's kernel patches (`patched`) and without them
 * (`stock`, the baseline): an MLP's weight gradients, a CNN's input gradient, an embedding table's gradient,
 * with the shapes of the backend package's benchmark. Where stock wasm lacks a kernel the stock variant is
 * recorded as an error naming it. Other backends: both variants refuse (recorded, not fatal).
 *
 * @example
 * const result = await runSuite({ suite, only: ['backend-kernels'], backend: 'wasm' });
 */
export const backendKernels: Scenario<BackendKernelsParams> = defineScenario<BackendKernelsParams>({
  id: 'backend-kernels',
  title: 'Model gradients on wasm: patched vs stock kernels',
  description:
    "Gradients of an MLP (weights), a CNN (input) and an embedding table on the wasm backend, with @tdhook/backend's kernel patches vs stock TF.js kernels; a kernel stock wasm lacks is reported as that variant's error. wasm only.",
  grid: {
    quick: [
      { case: 'mlp-weight-gradients' },
      { case: 'cnn-input-gradients' },
      { case: 'embedding-gradients' },
    ],
    full: [
      { case: 'mlp-weight-gradients' },
      { case: 'cnn-input-gradients' },
      { case: 'embedding-gradients' },
    ],
  },
  baseline: 'stock',
  variants: { patched: setupPatched, stock: setupStock },
});
