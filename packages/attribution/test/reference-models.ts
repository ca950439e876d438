// The reference models of ../shared/reference built from the fixture weights: the Layers models come from
// @tdhook/testing (layer names as in PyTorch); the MLP is also built here as a plain tdhook Module.
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { Lambda, Module } from '@tdhook/core';
import { loadReferenceModel, referenceInput, referenceLayersModel, referenceWeights } from '@tdhook/testing';

export { referenceInput };

/** fc1 16→64, relu1, fc2 64→64, relu2, fc3 64→10. */
export const referenceMlp = (): tfl.Sequential => referenceLayersModel('mlp');

/** conv1 3×3→8 same, relu1, pool1 max 2, conv2 3×3→16 same, relu2, gap, fc 16→10; NHWC [N,16,16,1]. */
export const referenceCnn = (): tfl.Sequential => referenceLayersModel('cnn');

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

/** The reference MLP as a plain Module with children fc1, relu1, fc2, relu2, fc3. */
export class ModuleMlp extends Module {
  readonly fc1: Dense;
  readonly relu1: Lambda;
  readonly fc2: Dense;
  readonly relu2: Lambda;
  readonly fc3: Dense;

  constructor() {
    super();
    const reference = loadReferenceModel('mlp');
    const dense = (name: string): Dense => new Dense(...referenceWeights(reference, name));
    this.fc1 = this.registerModule('fc1', dense('fc1'));
    this.relu1 = this.registerModule('relu1', new Lambda('relu', (x: tf.Tensor) => tf.relu(x)));
    this.fc2 = this.registerModule('fc2', dense('fc2'));
    this.relu2 = this.registerModule('relu2', new Lambda('relu', (x: tf.Tensor) => tf.relu(x)));
    this.fc3 = this.registerModule('fc3', dense('fc3'));
  }

  forward(x: tf.Tensor): tf.Tensor {
    return this.fc3.call(this.relu2.call(this.fc2.call(this.relu1.call(this.fc1.call(x)))));
  }
}
