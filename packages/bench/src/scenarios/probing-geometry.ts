// Intrinsic dimension and representation similarity at dataset scale: @tdhook/probing's twoNn, cka (linear)
// and informationImbalance against the same maths in numpy on the same machine (python/probing_geometry.py,
// the baseline). Both sides get the same seeded float32 data; a measured call is one estimate.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type * as ProbingModule from '@tdhook/probing';
import * as tf from '@tensorflow/tfjs-core';

import {
  defineScenario,
  type PreparedVariant,
  type Repetitions,
  type RunResult,
  type Scenario,
} from '../scenario.js';
import { startNumpy } from './probing-numpy.js';

/**
 * A grid point of the probing-geometry scenarios: `n` samples of `d` features.
 *
 * @example
 * const point: ProbingGeometryParams = { n: 10_000, d: 768 };
 */
export type ProbingGeometryParams = {
  readonly n: number;
  readonly d: number;
};

/** The computation a scenario measures, by its name in python/probing_geometry.py. */
type Measure = 'two-nn' | 'cka' | 'information-imbalance';

type Probing = typeof ProbingModule;

// The data: a 10-dimensional Gaussian mapped linearly into d features plus a little noise (TwoNN near 10, no
// duplicates), and a second representation of the same samples, tanh of a random rotation-and-scale of the
// first (for CKA and the imbalance). Seeded: every process and both sides see the same numbers.
const latentDimension = 10;

/**
 * The seeded data of the probing-geometry scenarios: `a` `[n, d]` and `b = tanh(a·R)` `[n, d]`.
 *
 * @example
 * const { a, b } = geometryData({ n: 2000, d: 64 });
 * tf.dispose([a, b]);
 */
export function geometryData({ n, d }: ProbingGeometryParams): { a: tf.Tensor2D; b: tf.Tensor2D } {
  return tf.tidy(() => {
    const latent = tf.randomNormal([n, latentDimension], 0, 1, 'float32', 11);
    const mixing = tf.randomNormal([latentDimension, d], 0, 1 / Math.sqrt(latentDimension), 'float32', 12);
    const noise = tf.randomNormal([n, d], 0, 0.01, 'float32', 13);
    const a = tf.add<tf.Tensor2D>(tf.matMul(latent, mixing), noise);
    const rotation = tf.randomNormal([d, d], 0, 1 / Math.sqrt(d), 'float32', 14);
    const b = tf.tanh(tf.matMul<tf.Tensor2D>(a, rotation));
    return { a, b };
  });
}

const compute: Record<Measure, (probing: Probing, a: tf.Tensor2D, b: tf.Tensor2D) => RunResult> = {
  'two-nn': (probing, a) => probing.twoNn(a).dimension,
  cka: (probing, a, b) => probing.cka(a, b),
  'information-imbalance': (probing, a, b) => {
    const { aToB, bToA } = probing.informationImbalance(a, b);
    return [aToB, bToA];
  },
};

function setupTdhook(measure: Measure) {
  return async (params: ProbingGeometryParams): Promise<PreparedVariant> => {
    const probing = await import('@tdhook/probing');
    const { a, b } = geometryData(params);
    return {
      run: () => compute[measure](probing, a, b),
      dispose: () => {
        tf.dispose([a, b]);
      },
    };
  };
}

function setupNumpy(measure: Measure) {
  return async (params: ProbingGeometryParams): Promise<PreparedVariant> => {
    const numpy = await startNumpy();
    const dir = mkdtempSync(join(tmpdir(), 'tdhook-bench-geometry-'));
    try {
      const { a, b } = geometryData(params);
      const files = { a: join(dir, 'a.f32'), b: join(dir, 'b.f32') };
      writeFileSync(files.a, a.dataSync());
      writeFileSync(files.b, b.dataSync());
      tf.dispose([a, b]);
      await numpy.request({ op: 'load', ...files, rows: params.n, columns_a: params.d, columns_b: params.d });
    } catch (error) {
      numpy.close();
      throw error;
    } finally {
      // numpy holds the data now.
      rmSync(dir, { recursive: true, force: true });
    }
    return {
      run: async () => {
        const { values } = await numpy.request({ op: 'run', measure });
        return tf.tensor1d(values === undefined ? [] : [...values], 'float32');
      },
      dispose: () => {
        numpy.close();
      },
    };
  };
}

const grid = {
  quick: [{ n: 1000, d: 64 }],
  full: [2000, 5000, 10_000].flatMap((n) => [64, 768].map((d) => ({ n, d }))),
};

const sameData =
  'Data: n samples of a 10-dimensional Gaussian mapped linearly into d features plus noise (σ 0.01), and tanh of a random d×d map of them as the second representation; float32, seeded, the same on both sides. numpy (the baseline) runs in a Python process started at set-up, one JSON line each way per call; its memory is not in the peak RSS or tensor peak, which are Node’s.';

function geometryScenario(
  id: string,
  title: string,
  description: string,
  measure: Measure,
  full: Repetitions = { warmup: 1, runs: 3 },
): Scenario<ProbingGeometryParams> {
  return defineScenario<ProbingGeometryParams>({
    id,
    title,
    description: `${description} ${sameData}`,
    grid,
    baseline: 'numpy',
    variants: { tdhook: setupTdhook(measure), numpy: setupNumpy(measure) },
    repetitions: { full },
  });
}

/**
 * TwoNN at dataset scale: `twoNn(x)` of @tdhook/probing vs the same estimate in numpy (exact neighbour
 * distances, the eps rule, the fit through the origin), n = 2,000–10,000, d = 64–768.
 *
 * @example
 * const suite: Suite = [probingTwoNn];
 */
export const probingTwoNn: Scenario<ProbingGeometryParams> = geometryScenario(
  'probing-geometry-two-nn',
  'TwoNN intrinsic dimension vs numpy',
  'TwoNN of n points: each point’s two nearest neighbours (self and distances ≤ 1e-5 excluded, exact), μ = r₂/r₁, the fit through the origin. tdhook: twoNn(x) of @tdhook/probing, where TF.js computes the squared distances of the centred points by expansion in blocks of 16 MiB, the 10 smallest per row are candidates, their exact distances (float64 direct differences) decide and an error bound proves that no other point comes first. numpy: the same algorithm, vectorised (a BLAS product per block, argpartition, the same bound; a row the bound cannot settle is redone exactly).',
  'two-nn',
);

/**
 * Linear CKA at dataset scale: `cka(a, b)` of @tdhook/probing vs numpy (centred, feature-space form).
 *
 * @example
 * const suite: Suite = [probingCka];
 */
export const probingCka: Scenario<ProbingGeometryParams> = geometryScenario(
  'probing-geometry-cka',
  'Linear CKA vs numpy',
  'Linear CKA of two representations of n samples: columns centred (in float64), ‖AᵀB‖²_F / (‖AᵀA‖_F‖BᵀB‖_F). tdhook: cka(a, b) of @tdhook/probing, the three d×d products on TF.js (float32), their squares summed in float64; numpy: the same, the products by BLAS.',
  'cka',
);

/**
 * Information imbalance at dataset scale: `informationImbalance(a, b)` of @tdhook/probing (both directions)
 * vs numpy.
 *
 * @example
 * const suite: Suite = [probingInformationImbalance];
 */
export const probingInformationImbalance: Scenario<ProbingGeometryParams> = geometryScenario(
  'probing-geometry-information-imbalance',
  'Information imbalance vs numpy',
  'Information imbalance in both directions, Δ(A→B) = (2/n)·mean rank in B of each point’s nearest neighbour in A (self rank 0, ties by index), exact. tdhook: informationImbalance(a, b) of @tdhook/probing: three passes over blocks of the expanded squared distances (TF.js): the nearest neighbour of each point in A; in B, each point’s nearest neighbour and the rank of A’s; in A, the rank of B’s. A rank counts the points the error bound settles and recomputes the others exactly in float64. numpy: the same three passes, vectorised (argpartition; comparisons and counts over each float32 block, against thresholds rounded outwards to float32).',
  'information-imbalance',
  // A call takes a minute or more at n = 10,000, d = 768 on a busy 2-core machine: no warm-up call there.
  { warmup: 0, runs: 3 },
);
