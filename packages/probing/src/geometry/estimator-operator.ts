import type * as tf from '@tensorflow/tfjs-core';
import {
  defineOperator,
  formatKey,
  TensorDict,
  toKeyPath,
  type KeyPath,
  type TensorDictOperator,
} from '@tdhook/core';

/**
 * A dimension or similarity estimator as a Workflow operator: a TensorDictOperator that also names its keys
 * and parameters. `describe()` (and `toString()`) gives the original's repr content, e.g.
 * `twoNnEstimator(inKey="data", outKey="dimension", returnXY=false, eps=0.00001)`.
 *
 * @example
 * const estimator: EstimatorOperator = twoNnEstimator({ inKey: ['representations', 'samples'] });
 * estimator.inKeys; // [['representations', 'samples']]
 */
export interface EstimatorOperator extends TensorDictOperator {
  /** The resolved parameters (keys as KeyPaths), for summaries and descriptions. */
  readonly params: Readonly<Record<string, unknown>>;
  describe(): string;
  toString(): string;
}

/**
 * A single-input estimator operator (the four dimension estimators): reads `inKey`, writes `outKey` (and any
 * extra keys).
 *
 * @example
 * const op: SingleInputEstimatorOperator = localKnnEstimator({ k: 5 });
 * op.inKey; // ['data']
 */
export interface SingleInputEstimatorOperator extends EstimatorOperator {
  readonly inKey: KeyPath;
  readonly outKey: KeyPath;
}

/**
 * What {@link defineEstimatorOperator} takes: the name, keys, printable parameters, and a compute function
 * returning `[outKey, tensor]` pairs that the operator owns until they are in its result.
 *
 * @example
 * defineEstimatorOperator({ name: 'x', inKeys: [['data']], outKeys: [['y']], params: {}, compute: (d) => [] });
 */
export interface EstimatorOperatorDefinition {
  readonly name: string;
  readonly inKeys: readonly KeyPath[];
  readonly outKeys: readonly KeyPath[];
  readonly params: Readonly<Record<string, unknown>>;
  readonly compute: (data: TensorDict) => readonly (readonly [KeyPath, tf.Tensor])[];
}

/**
 * Builds an {@link EstimatorOperator} on core's `defineOperator`. The result TensorDict keeps the input's batch
 * shape where every output starts with it, and has batch shape `[]` otherwise (a scalar per point set).
 *
 * @example
 * const op = defineEstimatorOperator({ name: 'twoNnEstimator', inKeys, outKeys, params, compute });
 */
export function defineEstimatorOperator(definition: EstimatorOperatorDefinition): EstimatorOperator {
  const text = `${definition.name}(${Object.entries(definition.params)
    .map(([name, value]) => `${name}=${formatParam(value)}`)
    .join(', ')})`;
  const operator = defineOperator({
    name: definition.name,
    inKeys: definition.inKeys,
    outKeys: definition.outKeys,
    run: (data) => {
      const outputs = definition.compute(data);
      try {
        const batchShape = data.batchShape;
        const keeps = outputs.every(([, tensor]) =>
          batchShape.every((size, axis) => tensor.shape[axis] === size),
        );
        return new TensorDict(
          outputs.map(([key, tensor]) => [key, tensor] as const),
          { batchShape: keeps ? batchShape : [] },
        );
      } catch (error) {
        for (const [, tensor] of outputs) tensor.dispose();
        throw error;
      }
    },
  });
  return Object.freeze({
    ...operator,
    params: Object.freeze({ ...definition.params }),
    describe: () => text,
    toString: () => text,
  });
}

function formatParam(value: unknown): string {
  if (Array.isArray(value) && value.every((segment) => typeof segment === 'string')) {
    return formatKey(value as unknown as KeyPath);
  }
  if (typeof value === 'string') return JSON.stringify(value);
  return String(value);
}

/**
 * `key` with `suffix` appended to its leaf: `['metrics', 'dimension']` → `['metrics', 'dimension_x']`.
 *
 * @example
 * suffixLeaf(['metrics', 'dimension'], '_x'); // ['metrics', 'dimension_x']
 */
export function suffixLeaf(key: KeyPath, suffix: string): KeyPath {
  return toKeyPath([...key.slice(0, -1), `${key[key.length - 1] ?? ''}${suffix}`] as unknown as [
    string,
    ...string[],
  ]);
}
