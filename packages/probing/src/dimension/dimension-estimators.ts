import type * as tf from '@tensorflow/tfjs-core';
import { toKeyPath, type Key, type KeyPath } from '@tdhook/core';

import { checkEps } from '../geometry/check-eps.js';
import {
  defineEstimatorOperator,
  suffixLeaf,
  type SingleInputEstimatorOperator,
} from '../geometry/estimator-operator.js';
import { checkNeighbourCount } from '../geometry/neighbour-count.js';
import { caPca, type CaPcaOptions } from './ca-pca.js';
import { localKnn, type LocalKnnOptions } from './local-knn.js';
import { localPca, type LocalPcaOptions } from './local-pca.js';
import { twoNn, type TwoNnOptions } from './two-nn.js';

/**
 * The keys of a dimension estimator operator. Defaults as in the original: `'data'` → `'dimension'`.
 *
 * @example
 * const keys: DimensionEstimatorKeys = { inKey: ['representations', 'samples'], outKey: ['metrics', 'dimension'] };
 */
export interface DimensionEstimatorKeys {
  /** Where the points `[N, D]` or `[..., N, D]` are read. Default `'data'`. */
  readonly inKey?: Key;
  /** Where the estimate is written. Default `'dimension'`. */
  readonly outKey?: Key;
}

function keysOf(options: DimensionEstimatorKeys, name: string): { inKey: KeyPath; outKey: KeyPath } {
  return {
    inKey: toKeyPath(options.inKey ?? 'data', `${name}, option inKey`),
    outKey: toKeyPath(options.outKey ?? 'dimension', `${name}, option outKey`),
  };
}

/**
 * The operator of an estimator with one value per point: reads `inKey`, writes `estimate(points)` at `outKey`;
 * `params` (the checked options) are what the operator's description shows after the keys.
 */
function perPointOperator(
  name: string,
  { inKey, outKey }: { inKey: KeyPath; outKey: KeyPath },
  params: Readonly<Record<string, unknown>>,
  estimate: (points: tf.Tensor) => tf.Tensor,
): SingleInputEstimatorOperator {
  const operator = defineEstimatorOperator({
    name,
    inKeys: [inKey],
    outKeys: [outKey],
    params: { inKey, outKey, ...params },
    compute: (data) => [[outKey, estimate(data.getTensor(inKey))]],
  });
  return Object.freeze({ ...operator, inKey, outKey });
}

/**
 * {@link twoNn} as a Workflow operator. With `returnXY`, x and y go to the out key's leaf suffixed `_x` / `_y`
 * (`['metrics', 'dimension']` → `['metrics', 'dimension_x']`).
 *
 * @example
 * const estimator = twoNnEstimator({ inKey: 'samples', returnXY: true });
 * using result = estimator.run(new TensorDict({ samples: points }));
 * result.getTensor('dimension_x');
 */
export function twoNnEstimator(
  options: TwoNnOptions & DimensionEstimatorKeys = {},
): SingleInputEstimatorOperator {
  const name = 'twoNnEstimator';
  const { inKey, outKey } = keysOf(options, name);
  const eps = checkEps(options.eps ?? 1e-5, name);
  const returnXY = options.returnXY ?? false;
  const xKey = suffixLeaf(outKey, '_x');
  const yKey = suffixLeaf(outKey, '_y');
  const operator = defineEstimatorOperator({
    name,
    inKeys: [inKey],
    outKeys: returnXY ? [outKey, xKey, yKey] : [outKey],
    params: { inKey, outKey, returnXY, eps },
    compute: (data) => {
      const result = twoNn(data.getTensor(inKey), { eps, returnXY });
      if (result.x === undefined || result.y === undefined) return [[outKey, result.dimension]];
      return [
        [outKey, result.dimension],
        [xKey, result.x],
        [yKey, result.y],
      ];
    },
  });
  return Object.freeze({ ...operator, inKey, outKey });
}

/**
 * {@link localKnn} as a Workflow operator: per-point estimates `[..., N]` at `outKey`.
 *
 * @example
 * const estimator = localKnnEstimator({ k: 5, outKey: ['metrics', 'dimension'] });
 */
export function localKnnEstimator(
  options: LocalKnnOptions & DimensionEstimatorKeys = {},
): SingleInputEstimatorOperator {
  const name = 'localKnnEstimator';
  const { inKey, outKey } = keysOf(options, name);
  const k = checkNeighbourCount(options.k ?? 'auto', 2, name);
  const eps = checkEps(options.eps ?? 1e-5, name);
  return perPointOperator(name, { inKey, outKey }, { k, eps }, (points) => localKnn(points, { k, eps }));
}

/**
 * {@link localPca} as a Workflow operator: per-point estimates `[..., N]` at `outKey`.
 *
 * @example
 * const estimator = localPcaEstimator({ k: 10, criterion: 'ratio' });
 */
export function localPcaEstimator(
  options: LocalPcaOptions & DimensionEstimatorKeys = {},
): SingleInputEstimatorOperator {
  const name = 'localPcaEstimator';
  const { inKey, outKey } = keysOf(options, name);
  const k = checkNeighbourCount(options.k ?? 'auto', 1, name);
  const eps = checkEps(options.eps ?? 1e-5, name);
  const criterion = options.criterion ?? 'maxgap';
  const alpha = options.alpha ?? 0.05;
  return perPointOperator(name, { inKey, outKey }, { k, criterion, alpha, eps }, (points) =>
    localPca(points, { k, criterion, alpha, eps }),
  );
}

/**
 * {@link caPca} as a Workflow operator: per-point estimates `[..., N]` at `outKey`.
 *
 * @example
 * const estimator = caPcaEstimator({ k: 10 });
 */
export function caPcaEstimator(
  options: CaPcaOptions & DimensionEstimatorKeys = {},
): SingleInputEstimatorOperator {
  const name = 'caPcaEstimator';
  const { inKey, outKey } = keysOf(options, name);
  const k = checkNeighbourCount(options.k ?? 'auto', 1, name);
  const eps = checkEps(options.eps ?? 1e-5, name);
  return perPointOperator(name, { inKey, outKey }, { k, eps }, (points) => caPca(points, { k, eps }));
}
