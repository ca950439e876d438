import { toKeyPath, type Key, type KeyPath } from '@tdhook/core';

import { defineEstimatorOperator, type EstimatorOperator } from '../geometry/estimator-operator.js';
import { checkCkaOptions, cka, type CkaOptions } from './cka.js';
import {
  checkPower,
  informationImbalance,
  type InformationImbalanceOptions,
} from './information-imbalance.js';

/**
 * Options of {@link ckaEstimator}: the keys (defaults as in the original) and {@link CkaOptions}.
 *
 * @example
 * const options: CkaEstimatorOptions = { inKeyA: 'layer1', inKeyB: 'layer2', outKey: ['metrics', 'cka'] };
 */
export interface CkaEstimatorOptions extends CkaOptions {
  /** Default `'data_a'`. */
  readonly inKeyA?: Key;
  /** Default `'data_b'`. */
  readonly inKeyB?: Key;
  /** Default `'cka'`. */
  readonly outKey?: Key;
}

/**
 * An operator with two inputs and the keys it reads.
 *
 * @example
 * const op: PairEstimatorOperator = ckaEstimator();
 * op.inKeyA; // ['data_a']
 */
export interface PairEstimatorOperator extends EstimatorOperator {
  readonly inKeyA: KeyPath;
  readonly inKeyB: KeyPath;
}

/**
 * {@link cka} as a Workflow operator. Options are checked here, as the original's constructor does.
 *
 * @example
 * const estimator = ckaEstimator({ inKeyA: 'layer1', inKeyB: 'layer2', kernel: 'rbf' });
 * using result = estimator.run(data);
 * result.getTensor('cka');
 */
export function ckaEstimator(
  options: CkaEstimatorOptions = {},
): PairEstimatorOperator & { readonly outKey: KeyPath } {
  const name = 'ckaEstimator';
  const inKeyA = toKeyPath(options.inKeyA ?? 'data_a', `${name}, option inKeyA`);
  const inKeyB = toKeyPath(options.inKeyB ?? 'data_b', `${name}, option inKeyB`);
  const outKey = toKeyPath(options.outKey ?? 'cka', `${name}, option outKey`);
  const settings = checkCkaOptions(options, name);
  const params: Record<string, unknown> = { inKeyA, inKeyB, outKey, kernel: settings.kernel };
  if (settings.kernel === 'rbf') {
    if (settings.sigma !== undefined) params.sigma = settings.sigma;
    else params.sigmaFraction = settings.sigmaFraction;
  }
  params.debiased = settings.debiased;
  params.eps = settings.eps;
  const ckaOptions: CkaOptions = { ...options };
  const operator = defineEstimatorOperator({
    name,
    inKeys: [inKeyA, inKeyB],
    outKeys: [outKey],
    params,
    compute: (data) => [[outKey, cka(data.getTensor(inKeyA), data.getTensor(inKeyB), ckaOptions)]],
  });
  return Object.freeze({ ...operator, inKeyA, inKeyB, outKey });
}

/**
 * Options of {@link informationImbalanceEstimator}: the keys (defaults as in the original) and p.
 *
 * @example
 * const options: InformationImbalanceEstimatorOptions = { inKeyA: 'x', inKeyB: 'y' };
 */
export interface InformationImbalanceEstimatorOptions extends InformationImbalanceOptions {
  /** Default `'data_a'`. */
  readonly inKeyA?: Key;
  /** Default `'data_b'`. */
  readonly inKeyB?: Key;
  /** Default `'information_imbalance_a_to_b'`. */
  readonly outKeyAToB?: Key;
  /** Default `'information_imbalance_b_to_a'`. */
  readonly outKeyBToA?: Key;
}

/**
 * {@link informationImbalance} as a Workflow operator, writing both directions.
 *
 * @example
 * const estimator = informationImbalanceEstimator({ inKeyA: 'x', inKeyB: 'y' });
 * using result = estimator.run(data);
 * result.getTensor('information_imbalance_a_to_b');
 */
export function informationImbalanceEstimator(
  options: InformationImbalanceEstimatorOptions = {},
): PairEstimatorOperator & { readonly outKeyAToB: KeyPath; readonly outKeyBToA: KeyPath } {
  const name = 'informationImbalanceEstimator';
  const inKeyA = toKeyPath(options.inKeyA ?? 'data_a', `${name}, option inKeyA`);
  const inKeyB = toKeyPath(options.inKeyB ?? 'data_b', `${name}, option inKeyB`);
  const outKeyAToB = toKeyPath(
    options.outKeyAToB ?? 'information_imbalance_a_to_b',
    `${name}, option outKeyAToB`,
  );
  const outKeyBToA = toKeyPath(
    options.outKeyBToA ?? 'information_imbalance_b_to_a',
    `${name}, option outKeyBToA`,
  );
  const p = checkPower(options.p ?? 2, name);
  const operator = defineEstimatorOperator({
    name,
    inKeys: [inKeyA, inKeyB],
    outKeys: [outKeyAToB, outKeyBToA],
    params: { inKeyA, inKeyB, outKeyAToB, outKeyBToA, p },
    compute: (data) => {
      const { aToB, bToA } = informationImbalance(data.getTensor(inKeyA), data.getTensor(inKeyB), { p });
      return [
        [outKeyAToB, aToB],
        [outKeyBToA, bToA],
      ];
    },
  });
  return Object.freeze({ ...operator, inKeyA, inKeyB, outKeyAToB, outKeyBToA });
}
