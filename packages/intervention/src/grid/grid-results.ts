import * as tf from '@tensorflow/tfjs-core';
import type { KeyPath, TensorDict } from '@tdhook/core';

import type { SiteGrid } from '../sites/patch-site.js';

/** What a grid run measured: the source pass's `[2 · samples]` metric, and one `[cells · samples]` per pass. */
export interface GridMeasurements {
  readonly data: TensorDict;
  readonly sites: SiteGrid;
  readonly resultKey: KeyPath;
  /** Source rows, then receiving (baseline) rows. */
  readonly reference: tf.Tensor;
  /** Patched passes in cell order, each cell a copy of the batch. */
  readonly patched: readonly tf.Tensor[];
  readonly samples: number;
  /** The source run's model outputs `[samples, ...]`, each with its model output key. */
  readonly outputs: readonly (readonly [KeyPath, tf.Tensor])[];
}

/**
 * The result of a grid run: a new TensorDict with the data's entries, the source run's model outputs under
 * the model's output keys (batch dims restored), and, under `resultKey`, the patched
 * metric, the effect and the normalized effect `[...batchShape, ...sites.shape]`, and the source and
 * baseline metrics `[...batchShape]`. Reads the measurements; does not dispose them.
 */
export function publishGrid(measured: GridMeasurements): TensorDict {
  const { data, sites, resultKey, reference, patched, samples, outputs } = measured;
  const batchShape = data.batchShape;
  const cells = sites.sites.length;
  const values = tf.tidy(() => {
    const source = tf.slice(reference, 0, samples);
    const baseline = tf.slice(reference, samples, samples);
    // [cells · samples] in cell order → [samples, cells]
    const metric = tf.transpose(tf.reshape(tf.concat([...patched], 0), [cells, samples]));
    const effect = tf.sub(metric, tf.reshape(baseline, [samples, 1]));
    const normalized = tf.div(effect, tf.reshape(tf.sub(source, baseline), [samples, 1]));
    const grid = (value: tf.Tensor): tf.Tensor => tf.reshape(value, [...batchShape, ...sites.shape]);
    const perSample = (value: tf.Tensor): tf.Tensor => tf.reshape(value, [...batchShape]);
    return {
      patched_metric: grid(metric),
      effect: grid(effect),
      normalized: grid(normalized),
      source_metric: perSample(source),
      baseline_metric: perSample(baseline),
    };
  });
  const result = data.clone();
  try {
    for (const [key, output] of outputs) {
      result.set(key, tf.reshape(output, [...batchShape, ...output.shape.slice(1)]));
    }
    for (const [name, value] of Object.entries(values)) result.set([...resultKey, name], value);
    return result;
  } catch (error) {
    result.dispose();
    tf.dispose(Object.values(values));
    throw error;
  }
}
