// Intrinsic dimension per layer through the dimension workflow's operators (one Workflow, no model pass),
// and linear CKA between every pair of layers.
import * as tf from '@tensorflow/tfjs-core';
import { Lambda, TensorDict, Workflow, type WorkflowStep } from '@tdhook/core';
import {
  activationSamples,
  cka,
  dimensionEstimation,
  dimensionSummary,
  getShapeNeutralTensor,
  localKnnEstimator,
  twoNnEstimator,
} from '@tdhook/probing';

import type { LayerRows } from './layer-probes.js';

/** One layer's intrinsic dimension: TwoNN over the whole cloud, local kNN per point (mean, std, valid points). */
export interface LayerDimension {
  readonly layer: string;
  readonly twoNn: number;
  readonly localKnnMean: number;
  readonly localKnnStd: number;
  readonly localKnnCount: number;
}

/** Every row flattened: `[S, …]` → `[S, ∏…]`, one point cloud of the whole layer. */
const flatten = (x: tf.Tensor): tf.Tensor => tf.reshape(x, [x.shape[0], -1]);

/**
 * TwoNN and local kNN (k = 'auto') of each layer's first `points` rows, as one Workflow of
 * operators over the cached activations: samples → estimate → summary per layer. Returns the plan's model
 * passes too (0: everything reads the cache).
 */
export function layerDimensions(
  layers: readonly LayerRows[],
  points: number,
): { dimensions: LayerDimension[]; modelPasses: number; steps: number } {
  const cache = new TensorDict({}, { batchShape: [points] });
  const steps: WorkflowStep[] = [];
  try {
    for (const { name, rows } of layers) {
      cache.set(['activations', 'cache', name], tf.slice(rows, 0, points));
      steps.push(
        activationSamples({ activationKey: name, transform: flatten, outKey: ['samples', name] }),
        dimensionEstimation({
          estimator: twoNnEstimator(),
          inKey: ['samples', name],
          outKey: ['twonn', name],
        }),
        dimensionEstimation({
          estimator: localKnnEstimator(),
          inKey: ['samples', name],
          outKey: ['local_knn', name],
        }),
        dimensionSummary({ inKey: ['local_knn', name], outKey: ['local_knn_summary', name] }),
      );
    }
    // Operators only: the model is never called, so any model will do.
    const { data: result, plan } = new Workflow(steps).run(new Lambda('unused', (x: tf.Tensor) => x), cache);
    try {
      const scalar = (key: readonly [string, ...string[]]): number => {
        const value = getShapeNeutralTensor(result, key);
        try {
          return value.dataSync()[0] ?? NaN;
        } finally {
          value.dispose();
        }
      };
      const dimensions = layers.map(({ name }) => ({
        layer: name,
        twoNn: scalar(['twonn', name]),
        localKnnMean: scalar(['local_knn_summary', name, 'mean']),
        localKnnStd: scalar(['local_knn_summary', name, 'std']),
        localKnnCount: scalar(['local_knn_summary', name, 'count']),
      }));
      return { dimensions, modelPasses: plan.modelPasses, steps: plan.executions.length };
    } finally {
      result.dispose();
    }
  } finally {
    cache.dispose();
  }
}

/** Linear CKA between the first `points` rows of every pair of layers (1 on the diagonal), row-major. */
export function ckaMatrix(layers: readonly LayerRows[], points: number): number[][] {
  const firsts = layers.map(({ rows }) => tf.slice(rows, 0, points));
  try {
    return firsts
      .map((a, i) =>
        firsts.map((b, j) => {
          if (i === j) return 1;
          if (j < i) return NaN; // filled from the upper triangle below
          const value = cka(a, b);
          try {
            return value.dataSync()[0] ?? NaN;
          } finally {
            value.dispose();
          }
        }),
      )
      .map((row, i, matrix) => row.map((value, j) => (j < i ? (matrix[j]?.[i] ?? NaN) : value)));
  } finally {
    tf.dispose(firsts);
  }
}
