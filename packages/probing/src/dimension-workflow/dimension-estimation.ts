import * as tf from '@tensorflow/tfjs-core';
import {
  defineOperator,
  formatKey,
  InvalidValueError,
  TensorDict,
  type Key,
  type KeyPath,
  type TensorDictOperator,
} from '@tdhook/core';
import { appendKeySuffix, isKey, keysEqual } from '@tdhook/core/plugin';

import {
  checkSamplesRank,
  defaultDimensionKey,
  defaultSampleKey,
  keyOption,
  readTensor,
  resultDict,
  toKeyPathSafe,
} from './workflow-keys.js';

/**
 * What {@link dimensionEstimation} runs: a TensorDict operator that reads samples at its own `inKey` and
 * writes an estimate at its own `outKey` (and may write more outputs whose keys append a suffix to it, such
 * as TwoNN's `_x` and `_y`): `twoNnEstimator()`, `localKnnEstimator()`, `localPcaEstimator()`,
 * `caPcaEstimator()`, or your own.
 *
 * @example
 * const estimator: DimensionEstimator = twoNnEstimator({ inKey: 'data', outKey: 'dimension' });
 */
export interface DimensionEstimator {
  readonly inKey: Key;
  readonly outKey: Key;
  readonly outKeys?: readonly Key[];
  run(data: TensorDict): TensorDict;
}

/**
 * Options of {@link dimensionEstimation}.
 *
 * @example
 * const options: DimensionEstimationOptions = { estimator: twoNnEstimator(), outKey: ['metrics', 'twonn'] };
 */
export interface DimensionEstimationOptions {
  readonly estimator: DimensionEstimator;
  /** Where the samples are. Default `['activations', 'samples']`. */
  readonly inKey?: Key;
  /** Where the estimate goes. Default `['metrics', 'dimension']`. */
  readonly outKey?: Key;
}

const where = 'probing/dimensionEstimation';

function estimatorKeys(estimator: unknown): { inKey: KeyPath; outKey: KeyPath; outKeys: KeyPath[] } {
  const candidate = estimator as Partial<DimensionEstimator> | null;
  const inKey = toKeyPathSafe(candidate?.inKey);
  const outKey = toKeyPathSafe(candidate?.outKey);
  if (
    typeof estimator !== 'object' ||
    candidate === null ||
    typeof candidate.run !== 'function' ||
    inKey === undefined ||
    outKey === undefined
  ) {
    throw new InvalidValueError({
      what: 'A dimension estimator must be a TensorDict operator with inKey and outKey (the original in_key and out_key)',
      where,
      fix: 'Pass twoNnEstimator(), localKnnEstimator(), localPcaEstimator(), caPcaEstimator(), or an object { inKey, outKey, run(data) }.',
    });
  }
  const declared = (candidate.outKeys ?? []).flatMap((key) => {
    const path = isKey(key) ? toKeyPathSafe(key) : undefined;
    return path === undefined ? [] : [path];
  });
  return { inKey, outKey, outKeys: declared };
}

/**
 * The estimator's extra outputs that belong to its estimate: keys that append a suffix to its `outKey`'s
 * leaf (TwoNN's `dimension_x`, `dimension_y`), each with its suffix.
 */
function suffixedOutputs(outKey: KeyPath, outKeys: readonly KeyPath[]): { key: KeyPath; suffix: string }[] {
  const leaf = outKey[outKey.length - 1] ?? '';
  const parent = outKey.slice(0, -1);
  return outKeys.flatMap((key) => {
    const keyLeaf = key[key.length - 1] ?? '';
    const sameParent = key.length === outKey.length && parent.every((segment, i) => key[i] === segment);
    if (!sameParent || keysEqual(key, outKey) || !keyLeaf.startsWith(leaf)) return [];
    return [{ key, suffix: keyLeaf.slice(leaf.length) }];
  });
}

/**
 * An operator that runs a dimension estimator on the samples at `inKey` and writes its estimate at `outKey`,
 * whatever keys the estimator uses inside: they stay private to the step (the original's
 * `DimensionEstimation`). Outputs the estimator declares with a suffix on its `outKey` (TwoNN with
 * `returnXY: true`: `_x`, `_y`) are written with the same suffix on `outKey`. It runs no model (0 passes).
 *
 * @example
 * const workflow = new Workflow([
 *   activationSamples({ activationKey: 'conv1', transform: channelConditionedSamples }),
 *   dimensionEstimation({ estimator: twoNnEstimator() }),
 * ]);
 * const { data: result } = workflow.run(model, data); // data holds ['activations', 'cache', 'conv1']
 * tf.tidy(() => getShapeNeutralTensor(result, ['metrics', 'dimension']).print()); // one TwoNN dimension per channel
 * result.dispose();
 */
export function dimensionEstimation(options: DimensionEstimationOptions): TensorDictOperator {
  if (typeof options !== 'object' || (options as unknown) === null) {
    throw new InvalidValueError({
      what: 'Options must be an object',
      where,
      fix: 'Pass { estimator: twoNnEstimator() }.',
    });
  }
  const estimator = options.estimator;
  const keys = estimatorKeys(estimator);
  const inKey = keyOption(options.inKey, defaultSampleKey, 'inKey', where);
  const outKey = keyOption(options.outKey, defaultDimensionKey, 'outKey', where);
  const extras = suffixedOutputs(keys.outKey, keys.outKeys).map(({ key, suffix }) => ({
    from: key,
    to: appendKeySuffix(outKey, suffix),
  }));
  return defineOperator({
    name: where,
    inKeys: [inKey],
    outKeys: [outKey, ...extras.map(({ to }) => to)],
    run: (data) => {
      const samples = readTensor(
        data,
        inKey,
        'Estimator samples',
        where,
        'Write them first with activationSamples({ activationKey, transform }), or set inKey.',
      );
      try {
        checkSamplesRank(samples, where);
      } catch (error) {
        samples.dispose();
        throw error;
      }
      // The estimator sees its own keys on a batch-free TensorDict (which takes the samples): one dataset.
      const input = new TensorDict([[keys.inKey, samples]]);
      let output: TensorDict | undefined;
      try {
        output = estimator.run(input);
        const produced = output;
        const read = (key: KeyPath): tf.Tensor =>
          readTensor(
            produced,
            key,
            'The estimate',
            where,
            `The estimator did not write ${formatKey(key)}, which it declares; check its run().`,
          );
        const entries: [KeyPath, tf.Tensor][] = [];
        try {
          entries.push([outKey, read(keys.outKey)]);
          for (const { from, to } of extras) entries.push([to, read(from)]);
        } catch (error) {
          tf.dispose(entries.map(([, tensor]) => tensor));
          throw error;
        }
        return resultDict(data, entries);
      } finally {
        input.dispose();
        if (output !== undefined && output !== input) output.dispose();
      }
    },
  });
}
