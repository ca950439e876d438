// Pruning importance from @tdhook/attribution: how much each unit (a conv channel, a dense unit) of the MNIST
// CNN contributes to the true class's logit, measured as mean |gradient × activation| of the layer's output
// on calibration digits (saliency with multiplyByInputs on the layers' outputs: layer attribution); a weight
// scores |θ| times the relative importance of the unit it feeds.
import * as tf from '@tensorflow/tfjs-core';
import { saliency } from '@tdhook/attribution';
import { TensorDict } from '@tdhook/core';
import type { ImportanceArgs } from '@tdhook/weights';
import type { LayersModel } from '@tensorflow/tfjs-layers';

import type { Digits } from './held-out-digits.js';

/** The layers whose outputs are attributed: every layer with parameters. */
export const prunedLayers = ['conv1', 'conv2', 'fc1', 'logits'] as const;

/** Per layer: each output unit's mean |gradient × activation| over the calibration digits. */
export type UnitAttribution = ReadonlyMap<string, Float32Array>;

/**
 * Layer attribution of the true class's logit to every output unit of the pruned layers: one batched
 * gradient pass over `digits`, then the mean of |x ⊙ ∂logit/∂x| over digits and positions per unit.
 */
export function unitAttribution(model: LayersModel, digits: Digits): UnitAttribution {
  using data = new TensorDict(
    { input: digits.images.clone(), label: tf.tensor1d(digits.labels, 'int32') },
    { batchShape: [digits.labels.length] },
  );
  using prepared = saliency({
    target: { select: { labels: 'label' } },
    multiplyByInputs: true,
    inputs: [],
    modules: [...prunedLayers],
  }).prepare(model);
  using result = prepared.run(data);
  const units = new Map<string, Float32Array>();
  for (const path of prunedLayers) {
    const attribution = result.getTensor(['attr', path]);
    const perUnit = tf.tidy(() => {
      const magnitude = tf.abs(attribution);
      // Every axis but the last (the units: channels last in TF.js Layers).
      return tf.mean(magnitude, [...Array(magnitude.rank - 1).keys()]);
    });
    units.set(path, perUnit.dataSync() as Float32Array);
    perUnit.dispose();
  }
  return units;
}

/**
 * The importance callback: |θ| × (its unit's attribution / the layer's mean unit attribution), broadcast over
 * the unit's weights (the last axis of a kernel, the bias's only axis). Dividing by the layer's mean keeps
 * layers comparable (a layer's attributions scale with its width), so within a layer a weight of a unit that
 * matters twice as much as the average counts as a weight twice as large.
 */
export function attributionImportance(units: UnitAttribution) {
  return ({ path, parameter }: ImportanceArgs): tf.Tensor | null => {
    const scores = units.get(path);
    if (scores === undefined) return null;
    const mean = scores.reduce((sum, value) => sum + value, 0) / scores.length;
    return tf.tidy(() => tf.mul(tf.abs(parameter), tf.div(tf.tensor1d(scores), mean)));
  };
}
