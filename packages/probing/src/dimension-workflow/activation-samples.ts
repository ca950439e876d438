import * as tf from '@tensorflow/tfjs-core';
import { defineOperator, InvalidValueError, type Key, type TensorDictOperator } from '@tdhook/core';
import { isTensor, joinKeys } from '@tdhook/core/plugin';

import {
  checkSamplesRank,
  defaultCacheKey,
  defaultSampleKey,
  keyOption,
  readTensor,
  resultDict,
} from './workflow-keys.js';

/**
 * Turns cached activations `[S, …]` into estimator samples `[..., points, features]`: e.g.
 * {@link channelConditionedSamples}, {@link spatialConditionedSamples}, or your own. It runs inside `tf.tidy`
 * (intermediates are disposed), returns a new tensor or its input unchanged, and must not dispose its input.
 *
 * @example
 * const flattened: SampleTransform = (x) => tf.reshape(x, [x.shape[0], -1]); // [S, …] → [S, ∏…]
 */
export type SampleTransform = (activations: tf.Tensor) => tf.Tensor;

/**
 * Options of {@link activationSamples}.
 *
 * @example
 * const options: ActivationSamplesOptions = { activationKey: 'conv1', transform: channelConditionedSamples };
 */
export interface ActivationSamplesOptions {
  /** The cached module: its path, the leaf under `cacheKey` (e.g. `'conv1'`, `'blocks.0.hook_resid_post'`). */
  readonly activationKey: Key;
  /** Maps the activations to samples `[..., points, features]`. */
  readonly transform: SampleTransform;
  /** Where the activations were published. Default `['activations', 'cache']`. */
  readonly cacheKey?: Key;
  /** Where the samples go. Default `['activations', 'samples']`. */
  readonly outKey?: Key;
}

const where = 'probing/activationSamples';

/**
 * An operator that reads one cached activation at `[...cacheKey, activationKey]`, applies `transform` and
 * writes the samples (`[..., points, features]`, rank ≥ 2) at `outKey`, for a dimension estimator. It runs
 * no model (0 passes). The samples describe a dataset, not the batch: run the workflow on a TensorDict
 * with batch shape `[]` (the default) when they do not start with the data's batch dims.
 *
 * @example
 * const workflow = new Workflow([
 *   activationCaching({ select: 'conv1', cacheKey: ['activations', 'cache'] }),
 *   activationSamples({ activationKey: 'conv1', transform: channelConditionedSamples }),
 * ]);
 * const { data: result } = workflow.run(model, new TensorDict({ input: images }));
 * tf.tidy(() => getShapeNeutralTensor(result, ['activations', 'samples']).print()); // [C, S, H·W]
 * result.dispose();
 */
export function activationSamples(options: ActivationSamplesOptions): TensorDictOperator {
  if (typeof options !== 'object' || (options as unknown) === null) {
    throw new InvalidValueError({
      what: 'Options must be an object',
      where,
      fix: "Pass { activationKey: 'conv1', transform: channelConditionedSamples }.",
    });
  }
  if ((options.activationKey as unknown) === undefined) {
    throw new InvalidValueError({
      what: 'activationKey (the original activation_key) is required',
      where,
      fix: "Name the cached module, e.g. activationKey: 'conv1'.",
    });
  }
  const activationKey = keyOption(options.activationKey, defaultCacheKey, 'activationKey', where);
  const cacheKey = keyOption(options.cacheKey, defaultCacheKey, 'cacheKey', where);
  const outKey = keyOption(options.outKey, defaultSampleKey, 'outKey', where);
  const transform: unknown = options.transform;
  if (typeof transform !== 'function') {
    throw new InvalidValueError({
      what: 'transform must be a function from activations to samples',
      where,
      fix: 'E.g. transform: channelConditionedSamples, or (x) => tf.reshape(x, [x.shape[0], -1]).',
    });
  }
  const inKey = joinKeys(cacheKey, activationKey);
  return defineOperator({
    name: where,
    inKeys: [inKey],
    outKeys: [outKey],
    run: (data) => {
      const activations = readTensor(
        data,
        inKey,
        `Cached activation ${JSON.stringify(activationKey.join('.'))}`,
        where,
        'Cache it first with activationCaching({ select, cacheKey }) and use the same cacheKey here.',
      );
      try {
        // In a tidy: what the transform makes on the way is disposed, its result kept.
        const samples: unknown = tf.tidy(() => (transform as SampleTransform)(activations));
        if (!isTensor(samples)) {
          throw new InvalidValueError({
            what: 'The activation sample transform must return a tensor',
            where,
            fix: 'Return the samples as one tf.Tensor [..., points, features].',
          });
        }
        try {
          checkSamplesRank(samples, where);
        } catch (error) {
          samples.dispose();
          throw error;
        }
        return resultDict(data, [[outKey, samples]]);
      } finally {
        activations.dispose();
      }
    },
  });
}
