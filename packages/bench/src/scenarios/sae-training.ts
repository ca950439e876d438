// Sparse autoencoder training throughput: @tdhook/weights' trainSparseAutoencoder (a SparseAutoencoder module,
// Adam, unit-norm decoder rows after each step, per-step statistics and dead-feature counts) against the loop
// one writes by hand in TF.js for the same maths: the same initial weights, Adam, batches, L1 or TopK, decoder
// normalisation and b_dec start, reading the loss once per step.
import * as tf from '@tensorflow/tfjs-core';
import type { TensorDict } from '@tdhook/core';
import { seededRandom } from '@tdhook/core/plugin';

import { defineScenario, type PreparedVariant, type Scenario } from '../scenario.js';

/**
 * A grid point of {@link saeTraining}: activations per epoch (width 128), dictionary features, activation.
 *
 * @example
 * const point: SaeTrainingParams = { rows: 16_384, features: 1024, activation: 'topk' };
 */
export type SaeTrainingParams = {
  readonly rows: number;
  readonly features: number;
  readonly activation: 'relu' | 'topk';
};

const width = 128;
const batchSize = 256;
const learningRate = 1e-3;
const l1 = 1e-2;
const topK = 32;

/** The activations trained on: seeded normal rows `[rows, 128]`. */
export function saeActivations(rows: number): tf.Tensor2D {
  return tf.randomNormal([rows, width], 0, 1, 'float32', 11);
}

/** The batches of one epoch: row indices, shuffled with `seed` (or in order), cut into `batchSize` rows. */
export function epochBatches(rows: number, seed: number | undefined): Int32Array[] {
  const order = Int32Array.from({ length: rows }, (_, i) => i);
  if (seed !== undefined) {
    const random = seededRandom(seed);
    for (let i = rows - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      const swap = order[i] ?? 0;
      order[i] = order[j] ?? 0;
      order[j] = swap;
    }
  }
  const batches: Int32Array[] = [];
  for (let start = 0; start < rows; start += batchSize)
    batches.push(order.subarray(start, start + batchSize));
  return batches;
}

/** The SAE's starting weights (W_enc, b_enc, W_dec, b_dec) as @tdhook/weights makes them for seed 0. */
async function initialWeights(features: number): Promise<Float32Array[]> {
  const { SparseAutoencoder } = await import('@tdhook/weights');
  const sae = new SparseAutoencoder({ inputSize: width, features, seed: 0 });
  try {
    return sae.namedParameters().map(([, variable]) => variable.dataSync() as Float32Array);
  } finally {
    sae.dispose();
  }
}

// TopK then ReLU, the mask held constant for the gradient (TF.js has no TopK gradient).
const keepTopK = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [pre, save] = args as [tf.Tensor, tf.GradSaveFunc];
  const kth = tf.slice(tf.topk(pre, topK).values, [0, topK - 1], [-1, 1]);
  const keep = tf.mul(tf.cast(tf.greaterEqual(pre, kth), 'float32'), tf.step(pre));
  save([keep]);
  return {
    value: tf.mul(pre, keep),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.mul(dy, saved[0] as tf.Tensor),
  };
});

/**
 * The hand-written loop: one epoch of Adam over `x`'s rows in `batches`, from `initial` weights; returns the
 * trained weights (W_enc, b_enc, W_dec, b_dec).
 *
 * @example
 * const weights = await plainSaeTraining(x, initial, epochBatches(4096, 0), 'relu');
 */
export async function plainSaeTraining(
  x: tf.Tensor2D,
  initial: readonly Float32Array[],
  batches: readonly Int32Array[],
  activation: 'relu' | 'topk',
): Promise<tf.Tensor[]> {
  const features = (initial[1] as Float32Array).length;
  // Made in a tidy so the tensors they start from are freed (variables survive it).
  const variables = tf.tidy(() => [
    tf.variable(tf.tensor2d(initial[0] as Float32Array, [width, features])),
    tf.variable(tf.tensor1d(initial[1] as Float32Array)),
    tf.variable(tf.tensor2d(initial[2] as Float32Array, [features, width])),
    tf.variable(tf.tensor1d(initial[3] as Float32Array)),
  ]);
  const [wEnc, bEnc, wDec, bDec] = variables as [tf.Variable, tf.Variable, tf.Variable, tf.Variable];
  const optimizer = tf.train.adam(learningRate);
  try {
    for (const [index, rows] of batches.entries()) {
      const loss = tf.tidy((): tf.Scalar => {
        const batch = tf.gather(x, tf.tensor1d(rows, 'int32'));
        if (index === 0) bDec.assign(tf.mean(batch, 0));
        const value = optimizer.minimize(
          () => {
            const pre = tf.add(tf.matMul(tf.sub(batch, bDec), wEnc), bEnc);
            const f = activation === 'relu' ? tf.relu(pre) : (keepTopK(pre) as tf.Tensor2D);
            const error = tf.sub(batch, tf.add(tf.matMul(f, wDec), bDec));
            const mse = tf.div(tf.sum(tf.square(error)), rows.length);
            return activation === 'relu'
              ? tf.add<tf.Scalar>(mse, tf.mul(tf.div(tf.sum(f), rows.length), l1))
              : (mse as tf.Scalar);
          },
          true,
          variables,
        );
        wDec.assign(tf.div(wDec, tf.maximum(tf.norm(wDec, 2, 1, true), 1e-12)));
        if (value === null) throw new Error('minimize returned no loss');
        return value;
      });
      await loss.data();
      loss.dispose();
    }
    return variables.map((variable) => tf.clone(variable));
  } finally {
    optimizer.dispose();
    tf.dispose(variables);
  }
}

/** The activations as the trainer takes them: a TensorDict `{ x: [rows, 128] }` holding a copy of `x`. */
export async function saeActivationDict(x: tf.Tensor2D): Promise<TensorDict> {
  const { TensorDict } = await import('@tdhook/core');
  return new TensorDict({ x: tf.clone(x) }, { batchShape: [x.shape[0]] });
}

/**
 * tdhook's way: a SparseAutoencoder trained one epoch with trainSparseAutoencoder on `data` (its rows under
 * `x`); returns the trained weights (W_enc, b_enc, W_dec, b_dec).
 *
 * @example
 * const weights = await tdhookSaeTraining(await saeActivationDict(x), 1024, 'topk', { shuffle: false });
 */
export async function tdhookSaeTraining(
  data: TensorDict,
  features: number,
  activation: 'relu' | 'topk',
  options: { readonly shuffle: boolean },
): Promise<tf.Tensor[]> {
  const { SparseAutoencoder, trainSparseAutoencoder } = await import('@tdhook/weights');
  const sae = new SparseAutoencoder({
    inputSize: width,
    features,
    activation: activation === 'relu' ? 'relu' : { topK },
    seed: 0,
  });
  try {
    await trainSparseAutoencoder(sae, {
      data,
      key: 'x',
      batchSize,
      learningRate,
      l1,
      shuffle: options.shuffle,
    });
    return sae.namedParameters().map(([, variable]) => tf.clone(variable));
  } finally {
    sae.dispose();
  }
}

function throughputNote(rows: number, seconds: () => number): () => string {
  return () => `${Math.round(rows / seconds()).toLocaleString('en-US')} activations/s (last run, one epoch)`;
}

async function setupTdhook({ rows, features, activation }: SaeTrainingParams): Promise<PreparedVariant> {
  const x = saeActivations(rows);
  const data = await saeActivationDict(x);
  x.dispose();
  let seconds = Number.NaN;
  return {
    run: async () => {
      const start = performance.now();
      const weights = await tdhookSaeTraining(data, features, activation, { shuffle: true });
      seconds = (performance.now() - start) / 1000;
      return weights;
    },
    dispose: () => {
      data.dispose();
    },
    note: throughputNote(rows, () => seconds),
  };
}

async function setupPlain({ rows, features, activation }: SaeTrainingParams): Promise<PreparedVariant> {
  const x = saeActivations(rows);
  const initial = await initialWeights(features);
  let seconds = Number.NaN;
  let epoch = 0;
  return {
    run: async () => {
      const start = performance.now();
      // Shuffled as the trainer shuffles: a seeded permutation per epoch, drawn in JavaScript.
      const weights = await plainSaeTraining(x, initial, epochBatches(rows, epoch++), activation);
      seconds = (performance.now() - start) / 1000;
      return weights;
    },
    dispose: () => {
      x.dispose();
    },
    note: throughputNote(rows, () => seconds),
  };
}

/**
 * Sparse autoencoder training: one epoch over 128-d activations (batches of 256, Adam 1e-3, L1 1e-2 for
 * ReLU, k = 32 for TopK), tdhook's trainer vs a hand-written TF.js loop doing the same maths. The note
 * gives the throughput in activations per second.
 *
 * @example
 * const suite: Suite = [saeTraining];
 */
export const saeTraining: Scenario<SaeTrainingParams> = defineScenario<SaeTrainingParams>({
  id: 'sae-training',
  title: 'Sparse autoencoder training: activations per second',
  description:
    'One epoch of sparse autoencoder training on seeded 128-d activations (batches of 256, Adam with learning rate 1e-3; ReLU with an L1 penalty of 1e-2, or TopK with k = 32; b_dec started at the first batch’s mean; decoder rows rescaled to unit norm after every step). tdhook: @tdhook/weights’ SparseAutoencoder and trainSparseAutoencoder on a TensorDict (shuffled rows, one download per step for the loss, MSE, L0 and per-feature firing, dead-feature counts). plain (the baseline): the same maths written as a TF.js loop with its own variables from the same initial weights, reading the loss once per step.',
  grid: {
    quick: [{ rows: 4096, features: 512, activation: 'relu' }],
    full: [
      { rows: 16_384, features: 512, activation: 'relu' },
      { rows: 16_384, features: 2048, activation: 'relu' },
      { rows: 16_384, features: 512, activation: 'topk' },
      { rows: 16_384, features: 2048, activation: 'topk' },
    ],
  },
  baseline: 'plain',
  variants: { tdhook: setupTdhook, plain: setupPlain },
  repetitions: { full: { warmup: 1, runs: 5 } },
});
