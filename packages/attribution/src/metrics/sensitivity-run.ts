import * as tf from '@tensorflow/tfjs-core';

import {
  formatKey,
  MissingKeyError,
  ShapeMismatchError,
  TensorDict,
  type KeyPath,
  type MethodLike,
  type ModelKeys,
  type ModelNode,
  type PreparedModel,
} from '@tdhook/core';
import { isTensor, joinKeys } from '@tdhook/core/plugin';

import { checkFloatInput, readTensor, rowsOf, safeDenominator, tfSeed } from './metric-options.js';

/** The checked options of a sensitivity operator. */
export interface SensitivityConfig {
  readonly method: MethodLike | PreparedModel;
  readonly model: ModelNode | undefined;
  readonly keys: ModelKeys;
  readonly modelInKeys: readonly KeyPath[];
  /** The attribution keys compared; undefined: every tensor under attributionKey in the data. */
  readonly compared: readonly KeyPath[] | undefined;
  readonly inputs: readonly KeyPath[];
  readonly attributionKey: KeyPath;
  readonly outKey: KeyPath;
  readonly radius: number;
  readonly samples: number;
  readonly seed: number;
  readonly norm: 'l1' | 'l2';
  readonly reduction: 'max' | 'mean';
}

const runFix = 'Run the attribution method first, or set attributionKey to where its attributions are.';

function tensorsUnder(data: TensorDict, key: KeyPath, where: string): KeyPath[] {
  if (!data.has(key)) {
    throw new MissingKeyError({
      what: `No attributions under ${formatKey(key)} in the TensorDict`,
      where,
      fix: runFix,
    });
  }
  const value = data.get(key);
  if (isTensor(value)) return [key];
  if (!(value instanceof TensorDict)) return [];
  return value
    .keys()
    .filter((leaf) => isTensor(value.get(leaf)))
    .map((leaf) => joinKeys(key, leaf));
}

/** The data repeated `samples` times along a new leading batch dim, with noise on the perturbed inputs. */
function perturbedCopy(data: TensorDict, config: SensitivityConfig): TensorDict {
  const rest = data.exclude(config.attributionKey);
  let copy: TensorDict;
  try {
    copy = rest.expand([config.samples, ...data.batchShape]);
  } finally {
    rest.dispose();
  }
  try {
    config.inputs.forEach((key, order) => {
      const value = copy.getTensor(key);
      const radius = config.radius;
      copy.set(
        key,
        tf.tidy(() =>
          tf.add(
            value,
            tf.randomUniform(value.shape, -radius, radius, 'float32', tfSeed(config.seed, order)),
          ),
        ),
      );
    });
    return copy;
  } catch (error) {
    copy.dispose();
    throw error;
  }
}

function attributeAgain(config: SensitivityConfig, data: TensorDict): TensorDict {
  const { method } = config;
  if (!('prepare' in method)) return method.run(data);
  const prepared = method.prepare(config.model as ModelNode, config.keys);
  try {
    return prepared.run(data);
  } finally {
    prepared.restore();
  }
}

/** The change of one attribution per batch item, `[batch]`. */
function score(
  config: SensitivityConfig,
  original: tf.Tensor,
  again: tf.Tensor,
  batchShape: readonly number[],
): tf.Tensor {
  return tf.tidy(() => {
    const rows = rowsOf(batchShape);
    const features = rowsOf(original.shape.slice(batchShape.length));
    const at = tf.reshape(original, [1, rows, features]);
    const difference = tf.sub(tf.reshape(again, [config.samples, rows, features]), at);
    const magnitude = (value: tf.Tensor): tf.Tensor =>
      config.norm === 'l1' ? tf.mean(tf.abs(value), 2) : tf.sqrt(tf.sum(tf.square(value), 2));
    const ratios = tf.div(magnitude(difference), safeDenominator(magnitude(at)));
    const reduced = config.reduction === 'max' ? tf.max(ratios, 0) : tf.mean(ratios, 0);
    return tf.reshape(reduced, [...batchShape]);
  });
}

/** Computes the sensitivity of the attributions in `data`; see {@link sensitivity}. */
export function runSensitivity(config: SensitivityConfig, data: TensorDict, where: string): TensorDict {
  const batchShape = data.batchShape;
  const compared = config.compared ?? tensorsUnder(data, config.attributionKey, where);
  const originals = compared.map((key) => readTensor(data, key, 'Attribution', runFix, where));
  for (const key of config.inputs) {
    checkFloatInput(readTensor(data, key, 'Model input', 'Add it to the TensorDict.', where), key, where);
  }
  const perturbed = perturbedCopy(data, config);
  try {
    const results = attributeAgain(config, perturbed);
    const scores = new TensorDict({}, { batchShape });
    try {
      compared.forEach((key, index) => {
        const original = originals[index] as tf.Tensor;
        const again = readTensor(
          results,
          key,
          'Attribution',
          'The method did not write it on the perturbed inputs: give the attributionKey of the method.',
          where,
        );
        const expected = [config.samples, ...original.shape];
        if (
          again.shape.length !== expected.length ||
          again.shape.some((size, axis) => size !== expected[axis])
        ) {
          throw new ShapeMismatchError({
            what: `The recomputed attribution ${formatKey(key)} is ${JSON.stringify(again.shape)}; expected ${JSON.stringify(expected)}`,
            where,
            fix: 'The data attributions must come from the same method (and options) as the one passed here.',
          });
        }
        const suffix = key.slice(config.attributionKey.length);
        const outKey =
          suffix.length === 0 ? config.outKey : joinKeys(config.outKey, suffix as unknown as KeyPath);
        scores.set(outKey, score(config, original, again, batchShape));
      });
      return scores;
    } catch (error) {
      scores.dispose();
      throw error;
    } finally {
      results.dispose();
    }
  } finally {
    perturbed.dispose();
  }
}
