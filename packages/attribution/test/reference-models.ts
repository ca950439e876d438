// The reference models of ../shared/reference built from the fixture weights, as TF.js Layers models (layer
// names as in PyTorch) and the MLP also as a plain tdhook Module.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { Lambda, Module } from '@tdhook/core';
import { loadReferenceModel, tensorFromSpec, type ReferenceModel } from '@tdhook/testing';

function weights(reference: ReferenceModel, name: string): tf.Tensor[] {
  return ['kernel', 'bias'].map((part) => {
    const spec = reference.paramsTfjs[`${name}.${part}`];
    if (spec === undefined) throw new Error(`${reference.name}.json lacks ${name}.${part}`);
    return tensorFromSpec(spec);
  });
}

function setWeights(model: tfl.LayersModel, reference: ReferenceModel, names: readonly string[]): void {
  for (const name of names) {
    const values = weights(reference, name);
    model.getLayer(name).setWeights(values);
    tf.dispose(values);
  }
}

/** fc1 16→64, relu1, fc2 64→64, relu2, fc3 64→10. */
export function referenceMlp(): tfl.Sequential {
  const model = tfl.sequential({
    layers: [
      tfl.layers.dense({ units: 64, inputShape: [16], name: 'fc1' }),
      tfl.layers.activation({ activation: 'relu', name: 'relu1' }),
      tfl.layers.dense({ units: 64, name: 'fc2' }),
      tfl.layers.activation({ activation: 'relu', name: 'relu2' }),
      tfl.layers.dense({ units: 10, name: 'fc3' }),
    ],
  });
  setWeights(model, loadReferenceModel('mlp'), ['fc1', 'fc2', 'fc3']);
  return model;
}

/** conv1 3×3→8 same, relu1, pool1 max 2, conv2 3×3→16 same, relu2, gap, fc 16→10; NHWC [N,16,16,1]. */
export function referenceCnn(): tfl.Sequential {
  const model = tfl.sequential({
    layers: [
      tfl.layers.conv2d({
        filters: 8,
        kernelSize: 3,
        padding: 'same',
        inputShape: [16, 16, 1],
        name: 'conv1',
      }),
      tfl.layers.activation({ activation: 'relu', name: 'relu1' }),
      tfl.layers.maxPooling2d({ poolSize: 2, strides: 2, padding: 'valid', name: 'pool1' }),
      tfl.layers.conv2d({ filters: 16, kernelSize: 3, padding: 'same', name: 'conv2' }),
      tfl.layers.activation({ activation: 'relu', name: 'relu2' }),
      tfl.layers.globalAveragePooling2d({ name: 'gap' }),
      tfl.layers.dense({ units: 10, name: 'fc' }),
    ],
  });
  setWeights(model, loadReferenceModel('cnn'), ['conv1', 'conv2', 'fc']);
  return model;
}

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
    const dense = (name: string): Dense => {
      const [kernel, bias] = weights(reference, name) as [tf.Tensor, tf.Tensor];
      return new Dense(kernel, bias);
    };
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

/** The fixture input of a reference model in TF.js layout (NHWC for the CNN). */
export function referenceInput(name: 'mlp' | 'cnn'): tf.Tensor {
  const reference = loadReferenceModel(name);
  const spec = reference.inputs[name === 'cnn' ? 'x_nhwc' : 'x'];
  if (spec === undefined) throw new Error(`${name}.json lacks its input`);
  return tensorFromSpec(spec);
}
