// The reference MLP of ../shared/reference/mlp.json (fc1 16→64, ReLU, fc2 64→64, ReLU, fc3 64→10) built
// twice: as a TF.js Layers model and as a plain tdhook Module, both with the PyTorch weights.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { tensorFromSpec, type ReferenceModel } from '@tdhook/testing';

import { Lambda } from '../src/modules/containers.js';
import type { ModelNode } from '../src/modules/model-node.js';
import { Module } from '../src/modules/module.js';

/** A dense layer as a Module: `x · kernel + bias` with a TF.js-layout kernel `[in, out]`. */
export class Dense extends Module {
  readonly kernel: tf.Variable;
  readonly bias: tf.Variable;

  constructor(kernel: tf.Tensor, bias: tf.Tensor) {
    super();
    this.kernel = this.registerParameter('kernel', kernel);
    this.bias = this.registerParameter('bias', bias);
  }

  forward(x: tf.Tensor): tf.Tensor {
    return tf.add(tf.matMul(x as tf.Tensor2D, this.kernel as tf.Tensor2D), this.bias);
  }
}

export class ReferenceMlp extends Module {
  readonly fc1: Dense;
  readonly relu1: Lambda;
  readonly fc2: Dense;
  readonly relu2: Lambda;
  readonly fc3: Dense;

  constructor(model: ReferenceModel) {
    super();
    const dense = (name: string): Dense => {
      const kernel = model.paramsTfjs[`${name}.kernel`];
      const bias = model.paramsTfjs[`${name}.bias`];
      if (kernel === undefined || bias === undefined) throw new Error(`mlp.json lacks ${name}`);
      return new Dense(tensorFromSpec(kernel), tensorFromSpec(bias));
    };
    // Registration order is the path order: fc1, relu1, fc2, relu2, fc3.
    this.fc1 = this.registerModule('fc1', dense('fc1'));
    this.relu1 = this.registerModule('relu1', new Lambda('relu', (x: tf.Tensor) => tf.relu(x)));
    this.fc2 = this.registerModule('fc2', dense('fc2'));
    this.relu2 = this.registerModule('relu2', new Lambda('relu', (x: tf.Tensor) => tf.relu(x)));
    this.fc3 = this.registerModule('fc3', dense('fc3'));
  }

  forward(x: tf.Tensor): tf.Tensor {
    const h1 = this.relu1.call(this.fc1.call(x));
    const h2 = this.relu2.call(this.fc2.call(h1));
    return this.fc3.call(h2);
  }
}

/** The same MLP as a TF.js Layers Sequential model with layers named fc1, relu1, fc2, relu2, fc3. */
export function referenceMlpLayers(model: ReferenceModel): tfl.Sequential {
  const net = tfl.sequential({
    layers: [
      tfl.layers.dense({ units: 64, inputShape: [16], name: 'fc1' }),
      tfl.layers.activation({ activation: 'relu', name: 'relu1' }),
      tfl.layers.dense({ units: 64, name: 'fc2' }),
      tfl.layers.activation({ activation: 'relu', name: 'relu2' }),
      tfl.layers.dense({ units: 10, name: 'fc3' }),
    ],
  });
  for (const name of ['fc1', 'fc2', 'fc3']) {
    const weights = [model.paramsTfjs[`${name}.kernel`], model.paramsTfjs[`${name}.bias`]].map((spec) => {
      if (spec === undefined) throw new Error(`mlp.json lacks ${name}`);
      return tensorFromSpec(spec);
    });
    net.getLayer(name).setWeights(weights);
    tf.dispose(weights);
  }
  return net;
}

/** The MLP's math, written out: returns fc2's output and the logits for input `x`. */
export function manualForward(
  model: ReferenceModel,
  x: tf.Tensor,
  replaceFc2?: (fc2: tf.Tensor) => tf.Tensor,
): { fc2: tf.Tensor; logits: tf.Tensor } {
  return tf.tidy(() => {
    const p = (name: string): tf.Tensor => tensorFromSpec(model.paramsTfjs[name] ?? { shape: [], data: NaN });
    const dense = (input: tf.Tensor, name: string): tf.Tensor =>
      tf.add(tf.matMul(input as tf.Tensor2D, p(`${name}.kernel`) as tf.Tensor2D), p(`${name}.bias`));
    const fc2 = dense(tf.relu(dense(x, 'fc1')), 'fc2');
    const used = replaceFc2 === undefined ? fc2 : replaceFc2(fc2);
    return { fc2, logits: dense(tf.relu(used), 'fc3') };
  });
}

/** The reference MLP built one way, with what the tests need to drive it. */
export interface BuiltMlp {
  readonly model: ModelNode;
  run(x: tf.Tensor): tf.Tensor;
  /** fc1's live kernel variable (not to be disposed). */
  fc1Kernel(): tf.Tensor;
  /** Assigns fc1's kernel the way a user of this kind of model would. */
  assignFc1Kernel(value: tf.Tensor): void;
  dispose(): void;
}

/** Both ways of building the reference MLP, for `describe.each`. */
export const referenceMlpKinds: readonly { readonly name: string; build(model: ReferenceModel): BuiltMlp }[] =
  [
    {
      name: 'Layers Sequential',
      build(reference) {
        const model: tfl.Sequential = referenceMlpLayers(reference);
        const fc1 = model.getLayer('fc1');
        return {
          model,
          run: (x) => model.apply(x) as tf.Tensor,
          fc1Kernel: () => fc1.weights[0]?.read() ?? tf.scalar(0),
          assignFc1Kernel: (value) => {
            fc1.setWeights([value, fc1.getWeights()[1] ?? value]);
          },
          dispose: () => {
            model.dispose();
          },
        };
      },
    },
    {
      name: 'plain Module',
      build(reference) {
        const model = new ReferenceMlp(reference);
        return {
          model,
          run: (x) => model.call(x),
          fc1Kernel: () => model.fc1.kernel,
          assignFc1Kernel: (value) => {
            model.fc1.kernel.assign(value);
          },
          dispose: () => {
            model.dispose();
          },
        };
      },
    },
  ];
