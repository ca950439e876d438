// LRP with the epsilon-plus composite (ε-rule on every dense layer, relevance passed through ReLUs) on a ReLU
// MLP over batch sizes: tdhook's rule hooks vs the same relevance propagation written by hand in TF.js.
import * as tf from '@tensorflow/tfjs-core';
import { TensorDict } from '@tdhook/core';
import { lrp } from '@tdhook/attribution';

import { defineScenario, type Scenario } from '../scenario.js';
import { ReluMlp } from './relu-mlp.js';
import { denseOp, type Dense } from './transformer.js';

/**
 * A grid point of {@link lrpEpsilonPlus}.
 *
 * @example
 * const point: LrpParams = { batch: 256, width: 256, depth: 5 };
 */
export type LrpParams = { readonly batch: number; readonly width: number; readonly depth: number };

const inputs = 100;
const classes = 10;
const epsilon = 1e-6;

/** `z + ε·sign(z)` with sign(0) = +1, as zennit stabilises. */
const stabilise = (z: tf.Tensor): tf.Tensor =>
  tf.add(z, tf.mul(tf.sub(tf.mul(tf.cast(tf.greaterEqual(z, 0), 'float32'), 2), 1), epsilon));

/**
 * ε-LRP by hand: relevance starts as the one-hot of the predicted class; through each dense layer
 * `R_in = a ⊙ ((R / stab(z)) Wᵀ)`; ReLUs pass it on.
 *
 * @example
 * const relevance = plainEpsilonLrp(mlp, x); // [batch, inputs]
 */
export function plainEpsilonLrp(model: ReluMlp, x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const dense: Dense[] = [...model.layers.items, model.head];
    const activations: tf.Tensor[] = [x];
    const preActivations: tf.Tensor[] = [];
    dense.forEach((layer, index) => {
      const z = denseOp(activations[index] as tf.Tensor, layer.kernel, layer.bias);
      preActivations.push(z);
      activations.push(index === dense.length - 1 ? z : tf.relu(z));
    });
    const logits = preActivations[preActivations.length - 1] as tf.Tensor;
    let relevance = tf.cast(tf.oneHot(tf.argMax(logits, -1), classes), 'float32');
    for (let index = dense.length - 1; index >= 0; index--) {
      const layer = dense[index] as Dense;
      const ratio = tf.div(relevance, stabilise(preActivations[index] as tf.Tensor));
      relevance = tf.mul(
        activations[index] as tf.Tensor,
        tf.matMul(ratio as tf.Tensor2D, layer.kernel as tf.Tensor2D, false, true),
      );
    }
    return relevance;
  });
}

/**
 * LRP (epsilon-plus composite) of the predicted class over batch sizes: tdhook vs plain TF.js.
 *
 * @example
 * export const suite: Suite = [lrpEpsilonPlus];
 */
export const lrpEpsilonPlus: Scenario<LrpParams> = defineScenario<LrpParams>({
  id: 'lrp-epsilon-plus',
  title: 'LRP (epsilon-plus) over batch sizes',
  description: `LRP with the epsilon-plus composite (ε = ${String(epsilon)} on every dense layer, ReLUs pass relevance) of the predicted class of a ReLU MLP (${String(inputs)} inputs, ${String(classes)} classes): tdhook's rule hooks on the model vs the same propagation written by hand in TF.js.`,
  grid: {
    quick: [
      { batch: 16, width: 128, depth: 3 },
      { batch: 128, width: 128, depth: 3 },
    ],
    full: [1, 16, 64, 256, 1024].map((batch) => ({ batch, width: 256, depth: 5 })),
  },
  baseline: 'plain',
  variants: {
    tdhook: ({ batch, width, depth }) => {
      const model = new ReluMlp({ inputs, width, depth, classes });
      const data = new TensorDict(
        { input: tf.randomNormal([batch, inputs], 0, 1, 'float32', 5) },
        { batchShape: [batch] },
      );
      const prepared = lrp({ composite: 'epsilonPlus', target: { select: 'argmax' } }).prepare(model);
      return {
        run: () => {
          const result = prepared.run(data);
          const relevance = tf.clone(result.getTensor(['attr', 'input']));
          result.dispose();
          return relevance;
        },
        dispose: () => {
          prepared.restore();
          data.dispose();
          model.dispose();
        },
      };
    },
    plain: ({ batch, width, depth }) => {
      const model = new ReluMlp({ inputs, width, depth, classes });
      const x = tf.randomNormal([batch, inputs], 0, 1, 'float32', 5);
      return {
        run: () => plainEpsilonLrp(model, x),
        dispose: () => {
          x.dispose();
          model.dispose();
        },
      };
    },
  },
});
