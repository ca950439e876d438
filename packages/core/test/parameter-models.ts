// Models the parameter-bridge tests share: a Module tree with a ModuleList, a frozen parameter and a module
// registered twice (a tied layer), an MNIST-like Layers CNN, and a functional model around a nested
// Sequential with BatchNorm. Values are seeded, so two builds are equal.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

import { ModuleList } from '../src/modules/containers.js';
import { Module } from '../src/modules/module.js';
import type { TensorDict } from '../src/tensordict/tensor-dict.js';

/** y = x·weight + bias, seeded. */
export class Linear extends Module {
  readonly weight: tf.Variable;
  readonly bias: tf.Variable;
  constructor(inputs: number, outputs: number, seed: number) {
    super();
    this.weight = this.registerParameter('weight', tf.randomNormal([inputs, outputs], 0, 1, 'float32', seed));
    this.bias = this.registerParameter('bias', tf.randomNormal([outputs], 0, 1, 'float32', seed + 1));
  }
  forward(x: tf.Tensor): tf.Tensor {
    return tf.add(tf.matMul(x as tf.Tensor2D, this.weight as tf.Tensor2D), this.bias);
  }
}

/** A projection, then a frozen per-feature scale; optionally also holds another block's projection. */
export class Block extends Module {
  readonly proj: Linear;
  readonly scale: tf.Variable;
  constructor(seed: number, tied?: Linear) {
    super();
    this.proj = this.registerModule('proj', new Linear(3, 3, seed));
    this.scale = this.registerParameter('scale', tf.fill([3], 1 + seed / 10), false);
    if (tied !== undefined) this.registerModule('tied', tied);
  }
  forward(x: tf.Tensor): tf.Tensor {
    return tf.mul(this.proj.call(x), this.scale);
  }
}

/** temperature, then blocks[0] and blocks[1] (which holds blocks[0].proj again, as `tied`). */
export class BlockNet extends Module {
  readonly temperature: tf.Variable;
  readonly blocks: ModuleList<Block>;
  constructor() {
    super();
    this.temperature = this.registerParameter('temperature', tf.scalar(2));
    const first = new Block(1);
    this.blocks = this.registerModule('blocks', new ModuleList([first, new Block(5, first.proj)]));
  }
  forward(x: tf.Tensor): tf.Tensor {
    return tf.mul(this.blocks.at(1)?.call(this.blocks.at(0)?.call(x)) as tf.Tensor, this.temperature);
  }
}

/** conv1 → pool1 → conv2 → pool2 → flatten → dense, like @tdhook/cv-assets' MNIST CNN (smaller input). */
export function smallCnn(): tfl.Sequential {
  const init = (seed: number): tfl.initializers.Initializer => tfl.initializers.glorotUniform({ seed });
  return tfl.sequential({
    layers: [
      tfl.layers.conv2d({ inputShape: [8, 8, 1], filters: 4, kernelSize: 3, name: 'conv1', kernelInitializer: init(1), biasInitializer: 'ones' }),
      tfl.layers.maxPooling2d({ poolSize: 2, name: 'pool1' }),
      tfl.layers.conv2d({ filters: 4, kernelSize: 2, name: 'conv2', kernelInitializer: init(2) }),
      tfl.layers.maxPooling2d({ poolSize: 1, name: 'pool2' }),
      tfl.layers.flatten({ name: 'flatten' }),
      tfl.layers.dense({ units: 3, name: 'dense', kernelInitializer: init(3) }),
    ],
  });
}

/** A functional model: a nested Sequential `encoder` (fc1, bn), then `head`. */
export function nestedModel(): tfl.LayersModel {
  const encoder = tfl.sequential({
    name: 'encoder',
    layers: [
      tfl.layers.dense({ units: 4, inputShape: [3], name: 'fc1', kernelInitializer: tfl.initializers.glorotUniform({ seed: 4 }) }),
      tfl.layers.batchNormalization({ name: 'bn', movingMeanInitializer: tfl.initializers.constant({ value: 0.5 }) }),
    ],
  });
  const input = tfl.input({ shape: [3] });
  const output = tfl.layers.dense({ units: 2, name: 'head' }).apply(encoder.apply(input)) as tfl.SymbolicTensor;
  return tfl.model({ inputs: input, outputs: output });
}

/** Every tensor of a parameters dict as plain arrays, by key: for bit-exact comparisons. */
export function snapshot(params: TensorDict): Record<string, number[]> {
  return Object.fromEntries(
    params.keys().map((key) => [key[0], Array.from(params.getTensor(key).dataSync())] as const),
  );
}
