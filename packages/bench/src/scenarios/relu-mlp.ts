// A deep ReLU MLP as a tdhook Module (Dense, ReLU, ..., Dense), seeded: the model of the paper's
// integrated-gradients grid, and its forward pass written out for the plain baselines.
import * as tf from '@tensorflow/tfjs-core';
import { Lambda, Module, ModuleList } from '@tdhook/core';

import { Dense, denseOp } from './transformer.js';

/**
 * The shape of a {@link ReluMlp}: `depth` hidden layers of `width` units between `inputs` and `classes`.
 *
 * @example
 * const shape: ReluMlpShape = { inputs: 100, width: 1000, depth: 5, classes: 10 };
 */
export interface ReluMlpShape {
  readonly inputs: number;
  readonly width: number;
  readonly depth: number;
  readonly classes: number;
}

/**
 * `depth` × (Dense `width` → ReLU), then a Dense head to `classes` logits; children `layers[i]`, `relus[i]`, `head`.
 *
 * @example
 * const mlp = new ReluMlp({ inputs: 100, width: 256, depth: 5, classes: 10 });
 * const logits = mlp.call(x); // [batch, 10]
 */
export class ReluMlp extends Module {
  readonly layers: ModuleList<Dense>;
  readonly relus: ModuleList<Lambda>;
  readonly head: Dense;

  constructor(shape: ReluMlpShape, seed = 1) {
    super();
    const layers = Array.from(
      { length: shape.depth },
      (_, index) => new Dense(index === 0 ? shape.inputs : shape.width, shape.width, seed + index),
    );
    this.layers = this.registerModule('layers', new ModuleList(layers));
    this.relus = this.registerModule(
      'relus',
      new ModuleList(layers.map(() => new Lambda('relu', (x: tf.Tensor) => tf.relu(x)))),
    );
    this.head = this.registerModule('head', new Dense(shape.width, shape.classes, seed + shape.depth));
  }

  forward(x: tf.Tensor): tf.Tensor {
    let h = x;
    this.layers.items.forEach((layer, index) => {
      h = (this.relus.at(index) as Lambda).call(layer.call(h));
    });
    return this.head.call(h);
  }
}

/**
 * The same forward pass in plain TF.js, reading the module's weights: what the baselines call.
 *
 * @example
 * const logits = plainMlpForward(mlp, x);
 */
export function plainMlpForward(mlp: ReluMlp, x: tf.Tensor): tf.Tensor {
  let h = x;
  for (const layer of mlp.layers.items) h = tf.relu(denseOp(h, layer.kernel, layer.bias));
  return denseOp(h, mlp.head.kernel, mlp.head.bias);
}
