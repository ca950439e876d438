// TF.js Layers layers described for LRP, read structurally (this package does not depend on tfjs-layers):
// the class name gives the kind, getConfig() and the layer's weight variables give the math.
import * as tf from '@tensorflow/tfjs-core';

import { type LayersLike } from '@tdhook/core';
import { describeNode } from '@tdhook/core/plugin';

import type { LrpLinearPart, LrpLayer, LrpLayerKind, LrpParameters } from './layer-types.js';

type Config = Readonly<Record<string, unknown>>;

interface WeightVariable {
  read(): tf.Tensor;
}

const kindsByClass: Readonly<Record<string, LrpLayerKind>> = {
  Dense: 'dense',
  Conv1D: 'convolution',
  Conv2D: 'convolution',
  DepthwiseConv2D: 'convolution',
  BatchNormalization: 'batch-norm',
  LayerNormalization: 'layer-norm',
  Activation: 'activation',
  ReLU: 'activation',
  LeakyReLU: 'activation',
  PReLU: 'activation',
  ELU: 'activation',
  ThresholdedReLU: 'activation',
  Softmax: 'softmax',
  MaxPooling1D: 'max-pool',
  MaxPooling2D: 'max-pool',
  GlobalMaxPooling1D: 'max-pool',
  GlobalMaxPooling2D: 'max-pool',
  AveragePooling1D: 'average-pool',
  AveragePooling2D: 'average-pool',
  GlobalAveragePooling1D: 'average-pool',
  GlobalAveragePooling2D: 'average-pool',
  Add: 'merge',
  Average: 'merge',
  Concatenate: 'merge',
  Flatten: 'reshape',
  Reshape: 'reshape',
  Permute: 'reshape',
  ZeroPadding2D: 'reshape',
  Cropping2D: 'reshape',
  UpSampling2D: 'reshape',
  RepeatVector: 'reshape',
  Dropout: 'dropout',
  SpatialDropout1D: 'dropout',
  GaussianNoise: 'dropout',
  GaussianDropout: 'dropout',
  AlphaDropout: 'dropout',
};

function configOf(layer: LayersLike): Config {
  const getConfig = (layer as { getConfig?: () => Config }).getConfig;
  return typeof getConfig === 'function' ? getConfig.call(layer) : {};
}

function weight(layer: LayersLike, name: string): WeightVariable | undefined {
  const value = (layer as unknown as Record<string, unknown>)[name];
  if (typeof value !== 'object' || value === null) return undefined;
  return typeof (value as Partial<WeightVariable>).read === 'function'
    ? (value as WeightVariable)
    : undefined;
}

const pair = (value: unknown, fallback: number): [number, number] => {
  const list = Array.isArray(value) ? (value as number[]) : [value ?? fallback, value ?? fallback];
  return [Number(list[0] ?? fallback), Number(list[1] ?? list[0] ?? fallback)];
};

const single = (value: unknown, fallback: number): number =>
  Number(Array.isArray(value) ? ((value as unknown[])[0] ?? fallback) : (value ?? fallback));

const padding = (config: Config): 'valid' | 'same' => (config.padding === 'same' ? 'same' : 'valid');

const addBias = (z: tf.Tensor, bias: tf.Tensor | undefined): tf.Tensor =>
  bias === undefined ? z : tf.add(z, bias);

// Weights are looked up at each use: a layer builds them on its first call.
function weightParameters(layer: LayersLike, kernelName: string): () => LrpParameters {
  return () => {
    const kernel = weight(layer, kernelName);
    const bias = weight(layer, 'bias');
    return {
      ...(kernel === undefined ? {} : { kernel: kernel.read() }),
      ...(bias === undefined ? {} : { bias: bias.read() }),
    };
  };
}

function denseLinear(layer: LayersLike): LrpLinearPart {
  return {
    parameters: weightParameters(layer, 'kernel'),
    apply: ([x], { kernel, bias }) => {
      const input = x as tf.Tensor;
      const k = kernel as tf.Tensor2D;
      const rows = tf.reshape<tf.Rank.R2>(input, [-1, input.shape[input.rank - 1] as number]);
      const z = tf.reshape(tf.matMul(rows, k), [...input.shape.slice(0, -1), k.shape[1]]);
      return addBias(z, bias);
    },
  };
}

function convolutionLinear(layer: LayersLike, className: string, config: Config): LrpLinearPart {
  const pad = padding(config);
  if (className === 'Conv1D') {
    const stride = single(config.strides, 1);
    const dilation = single(config.dilationRate, 1);
    return {
      parameters: weightParameters(layer, 'kernel'),
      apply: ([x], { kernel, bias }) =>
        addBias(tf.conv1d(x as tf.Tensor3D, kernel as tf.Tensor3D, stride, pad, 'NWC', dilation), bias),
    };
  }
  const strides = pair(config.strides, 1);
  const dilations = pair(config.dilationRate, 1);
  if (className === 'DepthwiseConv2D') {
    return {
      parameters: weightParameters(layer, 'depthwiseKernel'),
      apply: ([x], { kernel, bias }) =>
        addBias(
          tf.depthwiseConv2d(x as tf.Tensor4D, kernel as tf.Tensor4D, strides, pad, 'NHWC', dilations),
          bias,
        ),
    };
  }
  return {
    parameters: weightParameters(layer, 'kernel'),
    apply: ([x], { kernel, bias }) =>
      addBias(tf.conv2d(x as tf.Tensor4D, kernel as tf.Tensor4D, strides, pad, 'NHWC', dilations), bias),
  };
}

/** Broadcasts a per-channel vector along `axis` of a tensor of rank `rank`. */
function alongAxis(vector: tf.Tensor, axis: number, rank: number): tf.Tensor {
  const shape = new Array<number>(rank).fill(1);
  shape[axis < 0 ? rank + axis : axis] = vector.size;
  return tf.reshape(vector, shape);
}

// Inference batch norm is affine per channel: kernel = γ/sqrt(var + ε), bias = β − mean·kernel.
function batchNormLinear(layer: LayersLike, config: Config): LrpLinearPart {
  const epsilon = Number(config.epsilon ?? 1e-3);
  const axis = Number(Array.isArray(config.axis) ? (config.axis as number[])[0] : (config.axis ?? -1));
  return {
    parameters: () => {
      const [gamma, beta, mean, variance] = ['gamma', 'beta', 'movingMean', 'movingVariance'].map((name) =>
        weight(layer, name),
      );
      const variances = (variance as WeightVariable).read();
      const scale = tf.div(
        gamma === undefined ? tf.onesLike(variances) : gamma.read(),
        tf.sqrt(tf.add(variances, epsilon)),
      );
      const shift = tf.sub(
        beta === undefined ? tf.zerosLike(variances) : beta.read(),
        tf.mul((mean as WeightVariable).read(), scale),
      );
      return { kernel: scale, bias: shift };
    },
    apply: ([x], { kernel, bias }) => {
      const input = x as tf.Tensor;
      const scaled = tf.mul(input, alongAxis(kernel as tf.Tensor, axis, input.rank));
      return bias === undefined ? scaled : tf.add(scaled, alongAxis(bias, axis, input.rank));
    },
  };
}

function averagePoolLinear(className: string, config: Config): LrpLinearPart {
  const none = (): LrpParameters => ({});
  if (className === 'GlobalAveragePooling2D')
    return { parameters: none, apply: ([x]) => tf.mean(x as tf.Tensor, [1, 2]) };
  if (className === 'GlobalAveragePooling1D')
    return { parameters: none, apply: ([x]) => tf.mean(x as tf.Tensor, 1) };
  const pad = padding(config);
  if (className === 'AveragePooling1D') {
    const size = single(config.poolSize, 2);
    const stride = single(config.strides, size);
    return {
      parameters: none,
      apply: ([x]) =>
        tf.squeeze(
          tf.avgPool(tf.expandDims<tf.Tensor4D>(x as tf.Tensor3D, 2), [size, 1], [stride, 1], pad),
          [2],
        ),
    };
  }
  const size = pair(config.poolSize, 2);
  const strides = config.strides === undefined || config.strides === null ? size : pair(config.strides, 1);
  return { parameters: none, apply: ([x]) => tf.avgPool(x as tf.Tensor4D, size, strides, pad) };
}

function mergeLinear(className: string, config: Config): LrpLinearPart {
  const none = (): LrpParameters => ({});
  if (className === 'Concatenate') {
    const axis = Number(config.axis ?? -1);
    return { parameters: none, apply: (inputs) => tf.concat([...inputs], axis) };
  }
  const sum = (inputs: readonly tf.Tensor[]): tf.Tensor =>
    inputs.length === 1 ? tf.clone(inputs[0] as tf.Tensor) : tf.addN([...inputs]);
  if (className === 'Average')
    return { parameters: none, apply: (inputs) => tf.div(sum(inputs), inputs.length) };
  return { parameters: none, apply: sum };
}

/** A TF.js Layers layer as LRP sees it. */
export function layersLayer(layer: LayersLike): LrpLayer {
  const className = layer.getClassName();
  const description = describeNode(layer);
  const config = configOf(layer);
  let kind: LrpLayerKind = kindsByClass[className] ?? 'unknown';
  if (className === 'Activation' && config.activation === 'softmax') kind = 'softmax';
  const base = { kind, description, className };
  if (config.dataFormat === 'channelsFirst') {
    return { ...base, unsupported: "the 'channelsFirst' data format (use channelsLast)" };
  }
  switch (kind) {
    case 'dense':
      return { ...base, linear: denseLinear(layer) };
    case 'convolution':
      return { ...base, linear: convolutionLinear(layer, className, config) };
    case 'batch-norm':
      return { ...base, linear: batchNormLinear(layer, config) };
    case 'average-pool':
      return { ...base, linear: averagePoolLinear(className, config) };
    case 'merge':
      return { ...base, linear: mergeLinear(className, config) };
    case 'softmax':
      return { ...base, softmaxAxis: className === 'Softmax' ? single(config.axis, -1) : -1 };
    case 'layer-norm': {
      const axes = Array.isArray(config.axis) ? (config.axis as number[]) : [Number(config.axis ?? -1)];
      return {
        ...base,
        layerNorm: {
          axes,
          epsilon: Number(config.epsilon ?? 1e-3),
          gamma: () => weight(layer, 'gamma')?.read(),
          beta: () => weight(layer, 'beta')?.read(),
        },
      };
    }
    case 'activation':
    case 'max-pool':
    case 'reshape':
    case 'dropout':
    case 'container':
    case 'unknown':
      return base;
  }
}
