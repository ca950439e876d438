// LRP with the epsilon-plus composite (ε-rule on dense layers, z⁺ on convolutions, relevance passed through
// ReLUs, max-pool routing it like its gradient) on a ReLU MLP and a small CNN over batch sizes: tdhook's rule
// hooks vs the same relevance propagation written by hand in TF.js.
import * as tf from '@tensorflow/tfjs-core';
import { TensorDict } from '@tdhook/core';
import { lrp } from '@tdhook/attribution';

import { defineScenario, type Scenario } from '../scenario.js';
import { ReluMlp } from './relu-mlp.js';
import { SmallCnn } from './small-cnn.js';
import { denseOp, type Dense } from './transformer.js';

/**
 * A grid point of {@link lrpEpsilonPlus}: the ReLU MLP (100 → 5 × 256 → 10) or the small CNN (16×16 images).
 *
 * @example
 * const point: LrpParams = { model: 'cnn', batch: 64 };
 */
export type LrpParams = { readonly model: 'mlp' | 'cnn'; readonly batch: number };

const inputs = 100;
const classes = 10;
const epsilon = 1e-6;
const mlpShape = { inputs, width: 256, depth: 5, classes };

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
/**
 * z⁺ through a 3×3 'same' convolution, as zennit: `z = conv(x⁺, W⁺) + b⁺ + conv(x⁻, W⁻)`, then
 * `R_in = x⁺ ⊙ convᵀ(R / stab(z), W⁺) + x⁻ ⊙ convᵀ(R / stab(z), W⁻)`.
 */
function zPlusConv(x: tf.Tensor, kernel: tf.Tensor, bias: tf.Tensor, relevance: tf.Tensor): tf.Tensor {
  const [xp, xn] = [tf.maximum(x, 0), tf.minimum(x, 0)];
  const [wp, wn] = [tf.maximum(kernel, 0), tf.minimum(kernel, 0)];
  const conv = (input: tf.Tensor, weights: tf.Tensor): tf.Tensor =>
    tf.conv2d(input as tf.Tensor4D, weights as tf.Tensor4D, 1, 'same');
  const z = tf.add(tf.add(conv(xp, wp), tf.maximum(bias, 0)), conv(xn, wn));
  const ratio = tf.div<tf.Tensor4D>(relevance, stabilise(z));
  const back = (weights: tf.Tensor): tf.Tensor =>
    tf.conv2dTranspose(ratio, weights as tf.Tensor4D, x.shape as [number, number, number, number], 1, 'same');
  return tf.add(tf.mul(xp, back(wp)), tf.mul(xn, back(wn)));
}

/**
 * Epsilon-plus LRP of the small CNN by hand: ε on the dense head, the ε-rule without parameters through the
 * global average, ReLUs pass, max-pool routes like its gradient, z⁺ through both convolutions.
 *
 * @example
 * const relevance = plainCnnLrp(cnn, images); // [batch, 16, 16, 1]
 */
export function plainCnnLrp(model: SmallCnn, x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const z1 = model.conv1.forward(x);
    const a1 = tf.relu(z1);
    const p1 = tf.maxPool(a1 as tf.Tensor4D, 2, 2, 'valid');
    const z2 = model.conv2.forward(p1);
    const a2 = tf.relu(z2);
    const g = tf.mean(a2, [1, 2]);
    const logits = denseOp(g, model.fc.kernel, model.fc.bias);
    const r = tf.cast(tf.oneHot(tf.argMax(logits, -1), classes), 'float32');
    const ratio = tf.div(r, stabilise(logits));
    const rg = tf.mul(g, tf.matMul(ratio as tf.Tensor2D, model.fc.kernel as tf.Tensor2D, false, true));
    const [height = 1, width = 1] = a2.shape.slice(1, 3);
    const ra2 = tf.mul(a2, tf.reshape(tf.div(tf.div(rg, stabilise(g)), height * width), [-1, 1, 1, 16]));
    const rp1 = zPlusConv(p1, model.conv2.kernel, model.conv2.bias, ra2);
    const ra1 = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(a as tf.Tensor4D, 2, 2, 'valid'), rp1)))(
      a1,
    );
    return zPlusConv(x, model.conv1.kernel, model.conv1.bias, ra1);
  });
}

function subject(params: LrpParams): { model: ReluMlp | SmallCnn; x: tf.Tensor } {
  return params.model === 'mlp'
    ? { model: new ReluMlp(mlpShape), x: tf.randomNormal([params.batch, inputs], 0, 1, 'float32', 5) }
    : { model: new SmallCnn(), x: tf.randomNormal([params.batch, 16, 16, 1], 0, 1, 'float32', 5) };
}

/**
 * LRP (epsilon-plus composite) of the predicted class over batch sizes, on an MLP and a CNN: tdhook vs plain
 * TF.js.
 *
 * @example
 * export const suite: Suite = [lrpEpsilonPlus];
 */
export const lrpEpsilonPlus: Scenario<LrpParams> = defineScenario<LrpParams>({
  id: 'lrp-epsilon-plus',
  title: 'LRP (epsilon-plus) over batch sizes',
  description: `LRP with the epsilon-plus composite (ε = ${String(epsilon)} on dense layers, z⁺ on convolutions, ReLUs pass relevance, max-pool routes it like its gradient) of the predicted class, on a ReLU MLP (100 → 5 × 256 → 10) and a small CNN (two 3×3 convolutions, 16×16 images): tdhook's rule hooks on the model vs the same propagation written by hand in TF.js.`,
  grid: {
    quick: [
      { model: 'mlp', batch: 16 },
      { model: 'cnn', batch: 8 },
    ],
    full: (['mlp', 'cnn'] as const).flatMap((model) => [1, 16, 64, 256].map((batch) => ({ model, batch }))),
  },
  baseline: 'plain',
  variants: {
    tdhook: (params) => {
      const { model, x } = subject(params);
      const data = new TensorDict({ input: x }, { batchShape: [params.batch] });
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
    plain: (params) => {
      const { model, x } = subject(params);
      return {
        run: () => (model instanceof ReluMlp ? plainEpsilonLrp(model, x) : plainCnnLrp(model, x)),
        dispose: () => {
          x.dispose();
          model.dispose();
        },
      };
    },
  },
});
