import * as tf from '@tensorflow/tfjs-core';
import { formatKey, InvalidValueError, MissingKeyError, type Key, type TensorDict } from '@tdhook/core';

import { activationKey } from './activation-key.js';

/**
 * What a probe predicts: `'classification'` (logistic regression, scored by accuracy) or `'regression'`
 * (ridge regression, scored by R²).
 *
 * @example
 * const kind: ProbeKind = 'regression';
 */
export type ProbeKind = 'classification' | 'regression';

/**
 * One quantity to probe for: a key of the policy's run over the data (the data's keys plus what the policy
 * writes, e.g. `action`, `value`), optionally one column of it (`observation` column 2 is CartPole's pole
 * angle).
 *
 * @example
 * const poleAngle: ProbeTarget = { key: 'observation', column: 2 };
 * const action: ProbeTarget = { key: 'action' }; // int32: a classification
 */
export interface ProbeTarget {
  /** The key holding the target, `[rows]` or `[rows, columns]`. */
  readonly key: Key;
  /** Which column of a `[rows, columns]` target. Required exactly when the target has columns. */
  readonly column?: number;
  /** Default: `'classification'` for int32 and bool targets, `'regression'` for float32 ones. */
  readonly kind?: ProbeKind;
}

/** A target's values `[rows]` (float32 for a regression, int32 labels for a classification) and its kind. */
export interface TargetValues {
  readonly values: tf.Tensor1D;
  readonly kind: ProbeKind;
}

const where = (name: string): string => `probePolicy targets.${name}`;

/**
 * Reads target `name` from the policy's result: checks the key, the column and, for a classification, that
 * the values are whole numbers. The caller owns the returned tensor.
 */
export function targetValues(result: TensorDict, name: string, target: ProbeTarget): TargetValues {
  if (!result.has(target.key) || !(result.get(target.key) instanceof tf.Tensor)) {
    throw new MissingKeyError({
      what: `Target ${JSON.stringify(name)} reads ${formatKey(target.key)}, which is neither a tensor of the data nor one the policy writes`,
      where: where(name),
      fix: `Use one of: ${result
        .keys()
        .filter(([first]) => first !== activationKey)
        .map((key) => formatKey(key))
        .join(', ')}.`,
    });
  }
  const tensor = result.getTensor(target.key);
  if (tensor.rank !== 1 && tensor.rank !== 2) {
    throw new InvalidValueError({
      what: `Target ${JSON.stringify(name)} reads ${formatKey(target.key)} of shape [${tensor.shape.join(', ')}]; a target is [rows] or [rows, columns]`,
      where: where(name),
      fix: 'Probe a per-row number, or one column of a [rows, columns] tensor.',
    });
  }
  const width = tensor.rank === 2 ? (tensor.shape[1] ?? 0) : 1;
  const { column } = target;
  if (tensor.rank === 1 && column !== undefined) {
    throw new InvalidValueError({
      what: `Target ${JSON.stringify(name)} asks for column ${column} of ${formatKey(target.key)}, which has no columns (shape [${tensor.shape.join(', ')}])`,
      where: where(name),
      fix: 'Leave out column.',
    });
  }
  if (
    tensor.rank === 2 &&
    (column === undefined || !Number.isInteger(column) || column < 0 || column >= width)
  ) {
    throw new InvalidValueError({
      what: `Target ${JSON.stringify(name)} needs a column of ${formatKey(target.key)} (shape [${tensor.shape.join(', ')}]), got ${String(column)}`,
      where: where(name),
      fix: `Give column: an integer from 0 to ${width - 1}.`,
    });
  }
  const kind = target.kind ?? (tensor.dtype === 'float32' ? 'regression' : 'classification');
  const data = tensor.dataSync();
  const rows = tensor.shape[0];
  const picked = Array.from({ length: rows }, (_, row) => Number(data[row * width + (column ?? 0)]));
  if (kind === 'classification' && picked.some((value) => !Number.isInteger(value))) {
    throw new InvalidValueError({
      what: `Target ${JSON.stringify(name)} is a classification, but ${formatKey(target.key)} holds values that are not whole numbers`,
      where: where(name),
      fix: "Use kind: 'regression', or give whole-number class labels.",
    });
  }
  const values =
    kind === 'classification'
      ? tf.tensor1d(Int32Array.from(picked), 'int32')
      : tf.tensor1d(Float32Array.from(picked));
  return { values, kind };
}
