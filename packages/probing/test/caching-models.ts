// Test models for the caching tests: the original's test MLP `M` as a tdhook Module, seeded weights.
import * as tf from '@tensorflow/tfjs-core';
import { Lambda, Module, ModuleList, resolveModule, Sequential } from '@tdhook/core';
import { seededTensor } from '@tdhook/testing';

export class Dense extends Module {
  readonly kernel: tf.Variable;
  readonly bias: tf.Variable;
  constructor(inputs: number, units: number, seed: number) {
    super();
    this.kernel = this.registerParameter('kernel', seededTensor([inputs, units], seed, 0.6));
    this.bias = this.registerParameter('bias', seededTensor([units], seed + 1, 0.2));
  }
  forward(x: tf.Tensor): tf.Tensor {
    return tf.add(tf.matMul(x, this.kernel), this.bias);
  }
}

/** linear1(10→20) → relu → linear2(20→20) → relu → linear3(20→5): the original's `M`. */
export function mlp(): Sequential {
  return new Sequential({
    linear1: new Dense(10, 20, 1),
    relu1: new Lambda('relu', (x: tf.Tensor) => tf.relu(x)),
    linear2: new Dense(20, 20, 3),
    relu2: new Lambda('relu', (x: tf.Tensor) => tf.relu(x)),
    linear3: new Dense(20, 5, 5),
  });
}

/** A model whose blocks sit in a ModuleList `layers`, for paths such as `layers[-1]`. */
export class Stack extends Module {
  readonly layers: ModuleList;
  constructor() {
    super();
    this.layers = this.registerModule('layers', new ModuleList([new Dense(4, 6, 11), new Dense(6, 3, 13)]));
  }
  forward(x: tf.Tensor): tf.Tensor {
    return (this.layers.at(1) as Dense).call((this.layers.at(0) as Dense).call(x));
  }
}

/** A [rows, features] input with fixed values. */
export function inputs(rows: number, features = 10, seed = 7): tf.Tensor {
  return seededTensor([rows, features], seed, 2);
}

/** The output of `model.linear1`, `relu`, `linear2`, … computed by hand, for expected values. */
export function manualMlp(model: Sequential, x: tf.Tensor): Record<string, tf.Tensor> {
  return tf.tidy(() => {
    const dense = (name: string): Dense => resolveModule(model, name) as Dense;
    const apply = (name: string, h: tf.Tensor): tf.Tensor =>
      tf.add(tf.matMul(h, dense(name).kernel), dense(name).bias);
    const h1 = apply('linear1', x);
    const h2 = apply('linear2', tf.relu(h1));
    const h3 = apply('linear3', tf.relu(h2));
    return { linear1: h1, linear2: h2, linear3: h3 };
  });
}
