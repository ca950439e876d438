// The reference models of shared/reference as TF.js Layers models with the fixture weights and the PyTorch
// layer names, for tests, benchmarks and the demo.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

import { loadReferenceModel, type ReferenceModel, type ReferenceModelName } from './reference.js';
import { tensorFromSpec } from './tensor-values.js';

/** The fixture's kernel and bias of a layer, in TF.js layout. */
export function referenceWeights(reference: ReferenceModel, name: string): [tf.Tensor, tf.Tensor] {
  const [kernel, bias] = ['kernel', 'bias'].map((part) => {
    const spec = reference.paramsTfjs[`${name}.${part}`];
    if (spec === undefined) throw new Error(`${reference.name}.json lacks ${name}.${part}`);
    return tensorFromSpec(spec);
  });
  return [kernel as tf.Tensor, bias as tf.Tensor];
}

function layers(name: ReferenceModelName): tfl.layers.Layer[] {
  if (name === 'mlp') {
    // fc1 16→64, relu1, fc2 64→64, relu2, fc3 64→10.
    return [
      tfl.layers.dense({ units: 64, inputShape: [16], name: 'fc1' }),
      tfl.layers.activation({ activation: 'relu', name: 'relu1' }),
      tfl.layers.dense({ units: 64, name: 'fc2' }),
      tfl.layers.activation({ activation: 'relu', name: 'relu2' }),
      tfl.layers.dense({ units: 10, name: 'fc3' }),
    ];
  }
  // conv1 3×3→8 same, relu1, pool1 max 2, conv2 3×3→16 same, relu2, gap, fc 16→10; NHWC [N,16,16,1].
  return [
    tfl.layers.conv2d({ filters: 8, kernelSize: 3, padding: 'same', inputShape: [16, 16, 1], name: 'conv1' }),
    tfl.layers.activation({ activation: 'relu', name: 'relu1' }),
    tfl.layers.maxPooling2d({ poolSize: 2, strides: 2, padding: 'valid', name: 'pool1' }),
    tfl.layers.conv2d({ filters: 16, kernelSize: 3, padding: 'same', name: 'conv2' }),
    tfl.layers.activation({ activation: 'relu', name: 'relu2' }),
    tfl.layers.globalAveragePooling2d({ name: 'gap' }),
    tfl.layers.dense({ units: 10, name: 'fc' }),
  ];
}

/**
 * A reference model as a TF.js Layers Sequential model with the fixture weights; the caller disposes it.
 *
 * @example
 * const cnn = referenceLayersModel('cnn');
 * const logits = cnn.predict(referenceInput('cnn'));
 */
export function referenceLayersModel(name: ReferenceModelName): tfl.Sequential {
  const reference = loadReferenceModel(name);
  const model = tfl.sequential({ layers: layers(name) });
  for (const layer of model.layers) {
    if (layer.getWeights().length === 0) continue;
    const values = referenceWeights(reference, layer.name);
    layer.setWeights(values);
    tf.dispose(values);
  }
  return model;
}

/**
 * The fixture input of a reference model in TF.js layout (NHWC for the CNN); the caller disposes it.
 *
 * @example
 * const x = referenceInput('mlp'); // [4, 16]
 */
export function referenceInput(name: ReferenceModelName): tf.Tensor {
  const reference = loadReferenceModel(name);
  const spec = reference.inputs[name === 'cnn' ? 'x_nhwc' : 'x'];
  if (spec === undefined) throw new Error(`${name}.json lacks its input`);
  return tensorFromSpec(spec);
}
