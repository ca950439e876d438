import * as tf from '@tensorflow/tfjs-core';

import { formatKey, ShapeMismatchError, TensorDict, type KeyedModel, type KeyPath } from '@tdhook/core';
import { joinKeys } from '@tdhook/core/plugin';

import { resolveTarget, type AttributionTarget, type TargetSource } from '../targets.js';
import { checkFloatInput, readTensor, rowsOf, safeDenominator, tfSeed } from './metric-options.js';
import { targetValues } from './perturbed-passes.js';

/** The checked options of an infidelity operator. */
export interface InfidelityConfig {
  readonly model: KeyedModel;
  readonly target: AttributionTarget;
  readonly source: TargetSource;
  readonly outputIndex: number;
  readonly outputKey: KeyPath;
  readonly inputs: readonly KeyPath[];
  readonly attributionKey: KeyPath;
  readonly outKey: KeyPath;
  readonly samples: number;
  readonly noiseScale: number;
  readonly seed: number;
  readonly normalize: boolean;
  readonly multiplyByInputs: boolean;
  readonly baseline: number;
  readonly chunkSize: number | undefined;
}

const sameShape = (a: readonly number[], b: readonly number[]): boolean =>
  a.length === b.length && a.every((size, axis) => size === b[axis]);

/** What infidelity reads from the TensorDict, checked. */
interface InfidelityReads {
  /** The model output at x that the target reads. */
  readonly output: tf.Tensor;
  /** Every model input, in inKeys order. */
  readonly modelInputs: readonly tf.Tensor[];
  /** By model input position: the attribution and the input's position in `inputs` (its seed offset). */
  readonly attributions: ReadonlyMap<number, { readonly order: number; readonly attribution: tf.Tensor }>;
}

function readInfidelityData(config: InfidelityConfig, data: TensorDict, where: string): InfidelityReads {
  const { model } = config;
  const output = readTensor(
    data,
    config.outputKey,
    'Model output',
    'Run the attribution method first (it writes the model outputs), or the model: new KeyedModel(model).run(data).',
    where,
  );
  const modelInputs = model.inKeys.map((key) =>
    readTensor(
      data,
      key,
      'Model input',
      'Add it, or map the model inKeys (keys option) to existing keys.',
      where,
    ),
  );
  const attributions = new Map<number, { readonly order: number; readonly attribution: tf.Tensor }>();
  config.inputs.forEach((key, order) => {
    const index = model.inKeys.findIndex((candidate) => formatKey(candidate) === formatKey(key));
    const value = modelInputs[index] as tf.Tensor;
    checkFloatInput(value, key, where);
    const attributionKey = joinKeys(config.attributionKey, key);
    const attribution = readTensor(
      data,
      attributionKey,
      'Attribution',
      'Run an attribution method first, or set attributionKey to where its attributions are.',
      where,
    );
    if (!sameShape(attribution.shape, value.shape)) {
      throw new ShapeMismatchError({
        what: `Attribution ${formatKey(attributionKey)} is ${JSON.stringify(attribution.shape)} and input ${formatKey(key)} ${JSON.stringify(value.shape)}`,
        where,
        fix: 'Infidelity needs attributions shaped like the inputs they attribute.',
      });
    }
    attributions.set(index, { order, attribution });
  });
  return { output, modelInputs, attributions };
}

/** Computes the infidelity of the attributions in `data`; see {@link infidelity}. */
export function runInfidelity(config: InfidelityConfig, data: TensorDict, where: string): TensorDict {
  const { model, samples } = config;
  const batchShape = data.batchShape;
  const rows = rowsOf(batchShape);
  const featuresOf = (value: tf.Tensor): number[] => value.shape.slice(batchShape.length);
  // Everything is read and checked before the first tensor is made.
  const { output, modelInputs, attributions } = readInfidelityData(config, data, where);

  const resolved = resolveTarget(undefined, config.target, config.source, data, rows, `${where} target`);
  const atX = tf.reshape(output, [rows, ...featuresOf(output)]);
  try {
    // 'argmax' explains the class predicted at x, also at the perturbed points.
    const target = resolved.pin(atX);
    try {
      const scores = tf.tidy(() => {
        const perturbed: tf.Tensor[] = [];
        const dots: tf.Tensor[] = [];
        modelInputs.forEach((value, index) => {
          const features = featuresOf(value);
          const x = tf.reshape(value, [1, rows, ...features]);
          const tiled = tf.tile(x, [samples, 1, ...features.map(() => 1)]);
          const attributed = attributions.get(index);
          if (attributed === undefined) {
            perturbed.push(tf.reshape(tiled, [samples * rows, ...features]));
            return;
          }
          const noise = drawNoise([samples, rows, ...features], config, attributed.order);
          perturbed.push(tf.reshape(tf.sub(tiled, noise), [samples * rows, ...features]));
          const scaled = config.multiplyByInputs
            ? tf.div(noise, safeDenominator(tf.sub(x, config.baseline)))
            : noise;
          const attribution = tf.reshape(attributed.attribution, [1, rows, ...features]);
          dots.push(tf.sum(tf.reshape(tf.mul(scaled, attribution), [samples, rows, -1]), 2));
        });
        const atPerturbed = tf.reshape(
          targetValues(model, perturbed, config.outputIndex, target, rows, config.chunkSize),
          [samples, rows],
        );
        const change = tf.sub(tf.expandDims(target.pick(atX), 0), atPerturbed);
        const predicted = dots.length === 1 ? (dots[0] as tf.Tensor) : tf.addN(dots);
        const scale = config.normalize
          ? tf.div(tf.sum(tf.mul(predicted, change), 0), safeDenominator(tf.sum(tf.square(predicted), 0)))
          : tf.scalar(1);
        const errors = tf.square(tf.sub(tf.mul(scale, predicted), change));
        return tf.reshape(tf.mean(errors, 0), [...batchShape]);
      });
      return new TensorDict([[config.outKey, scores]], { batchShape });
    } finally {
      if (target !== resolved) target.dispose();
    }
  } finally {
    atX.dispose();
    resolved.dispose();
  }
}

/**
 * The perturbations of the attributed input number `order`: `N(0, noiseScale²)` drawn with the TF.js seed
 * `seed + order + 1`, shaped `[samples, ...batch, ...features]` (here with the batch flattened, which draws the
 * same numbers).
 */
function drawNoise(shape: number[], config: InfidelityConfig, order: number): tf.Tensor {
  return tf.randomNormal(shape, 0, config.noiseScale, 'float32', tfSeed(config.seed, order));
}
