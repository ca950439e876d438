import {
  formatKey,
  InvalidValueError,
  Workflow,
  type Key,
  type MethodLike,
  type ModelKeys,
} from '@tdhook/core';
import { joinKeys, keyStartsWith } from '@tdhook/core/plugin';

import { activationSamples, type SampleTransform } from './activation-samples.js';
import { dimensionEstimation, type DimensionEstimator } from './dimension-estimation.js';
import { dimensionSummary } from './dimension-summary.js';
import {
  defaultCacheKey,
  defaultDimensionKey,
  defaultSampleKey,
  defaultSummaryKey,
  keyOption,
} from './workflow-keys.js';

/**
 * Options of {@link conditionedDimensionWorkflow}: the keys between its steps, the summary's axes, and the
 * model's keys (as `Workflow` takes them).
 *
 * @example
 * const options: ConditionedDimensionWorkflowOptions = { summaryDims: -1, inKeys: ['pixels'] };
 */
export interface ConditionedDimensionWorkflowOptions extends ModelKeys {
  /** Where the caching method publishes; it must publish there. Default `['activations', 'cache']`. */
  readonly cacheKey?: Key;
  /** Default `['activations', 'samples']`. */
  readonly sampleKey?: Key;
  /** Default `['metrics', 'dimension']`. */
  readonly dimensionKey?: Key;
  /** Default `['metrics', 'dimension_summary']`. */
  readonly summaryKey?: Key;
  /** The summary's `dims`. Default: all axes. */
  readonly summaryDims?: number | readonly number[];
}

const where = 'probing/conditionedDimensionWorkflow';

/**
 * The original's conditioned dimension workflow as one {@link Workflow} of four steps: `caching` (one model
 * pass, which must publish at `[...cacheKey, path]`), {@link activationSamples} with `transform`,
 * {@link dimensionEstimation} with `estimator`, and {@link dimensionSummary}: 4 executions, 1 model pass.
 * Run it on a TensorDict without batch dims (its results describe datasets, not samples).
 *
 * @example
 * const workflow = conditionedDimensionWorkflow(
 *   activationCaching({ select: 'conv1', cacheKey: ['activations', 'cache'] }),
 *   'conv1',
 *   channelConditionedSamples,
 *   twoNnEstimator(),
 * );
 * const { data: result, plan } = workflow.run(model, new TensorDict({ input: images }));
 * plan.modelPasses; // 1
 * tf.tidy(() => getShapeNeutralTensor(result, ['metrics', 'dimension']).print()); // [C]: one TwoNN dimension per channel of conv1
 * tf.tidy(() => getShapeNeutralTensor(result, ['metrics', 'dimension_summary', 'mean']).print());
 * result.dispose();
 */
export function conditionedDimensionWorkflow(
  caching: MethodLike,
  path: string,
  transform: SampleTransform,
  estimator: DimensionEstimator,
  options: ConditionedDimensionWorkflowOptions = {},
): Workflow {
  const cacheKey = keyOption(options.cacheKey, defaultCacheKey, 'cacheKey', where);
  if (typeof caching !== 'object' || (caching as unknown) === null || typeof caching.plan !== 'function') {
    throw new InvalidValueError({
      what: 'caching must be a configured method (activationCaching({ ... }))',
      where,
      fix: "Pass activationCaching({ select: 'conv1', cacheKey: ['activations', 'cache'] }).",
    });
  }
  const modelKeys: ModelKeys = {
    ...(options.inKeys === undefined ? {} : { inKeys: options.inKeys }),
    ...(options.outKeys === undefined ? {} : { outKeys: options.outKeys }),
  };
  // Its plan says where it publishes: the cached module's key, or a namespace above it.
  const cached = joinKeys(cacheKey, [path]);
  const published = caching.plan(modelKeys).outKeys;
  if (!published.some((key) => keyStartsWith(cached, key) && keyStartsWith(key, cacheKey))) {
    throw new InvalidValueError({
      what: `The caching method publishes ${published.map((key) => formatKey(key)).join(', ') || 'nothing'}, not ${formatKey(cached)}`,
      where,
      fix: `configure cache_key: give the caching method cacheKey ${formatKey(cacheKey)} (the workflow's cacheKey) and let it select '${path}'.`,
    });
  }
  const sampleKey = keyOption(options.sampleKey, defaultSampleKey, 'sampleKey', where);
  const dimensionKey = keyOption(options.dimensionKey, defaultDimensionKey, 'dimensionKey', where);
  const summaryKey = keyOption(options.summaryKey, defaultSummaryKey, 'summaryKey', where);
  return new Workflow(
    [
      caching,
      activationSamples({ activationKey: path, transform, cacheKey, outKey: sampleKey }),
      dimensionEstimation({ estimator, inKey: sampleKey, outKey: dimensionKey }),
      dimensionSummary({
        inKey: dimensionKey,
        outKey: summaryKey,
        ...(options.summaryDims === undefined ? {} : { dims: options.summaryDims }),
      }),
    ],
    modelKeys,
  );
}
