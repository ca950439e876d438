// Reading borrowed tensors into float64 rows: every float64 estimator fits from these, so the checks (rank,
// row counts, finiteness) and their messages live in one place.
import type * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError, ShapeMismatchError } from '@tdhook/core';

/**
 * A row-major matrix, `data[row * columns + column]`: the tensor's own values (float32, int32 or bool), read
 * without a copy. Every value is exact in float64, which is what the arithmetic on them runs in.
 */
export interface DenseRows {
  readonly rows: number;
  readonly columns: number;
  readonly data: ArrayLike<number>;
}

function checkFinite(values: ArrayLike<number>, where: string): void {
  for (let index = 0; index < values.length; index++) {
    if (!Number.isFinite(values[index])) {
      throw new InvalidValueError({
        what: `Input contains NaN or infinity (element ${index})`,
        where,
        fix: 'Remove or impute the non-finite values before fitting or predicting.',
      });
    }
  }
}

/** `x` `[n, d]` (n ≥ 1) as float64 rows; `where` names the estimator and argument in errors. */
export function readRows(x: tf.Tensor, where: string): DenseRows {
  if (x.rank !== 2) {
    throw new ShapeMismatchError({
      what: `Expected a 2-D tensor [samples, features], got shape [${x.shape.join(', ')}]`,
      where,
      fix: 'Flatten the feature dimensions first, e.g. x.reshape([x.shape[0], -1]).',
    });
  }
  const [rows = 0, columns = 0] = x.shape;
  if (rows === 0 || columns === 0) {
    throw new InvalidValueError({
      what: `Found an empty input of shape [${x.shape.join(', ')}]`,
      where,
      fix: 'Pass at least one sample with at least one feature.',
    });
  }
  const data = x.dataSync() as ArrayLike<number>;
  checkFinite(data, where);
  return { rows, columns, data };
}

/** Targets or labels `y` as float64: `[n]` (`columns` 1, `vector` true) or `[n, k]`, checked against `rows`. */
export function readTargets(
  y: tf.Tensor,
  rows: number,
  where: string,
): DenseRows & { readonly vector: boolean } {
  if (y.rank !== 1 && y.rank !== 2) {
    throw new ShapeMismatchError({
      what: `Expected y of shape [samples] or [samples, outputs], got [${y.shape.join(', ')}]`,
      where,
    });
  }
  if (y.shape[0] !== rows) {
    throw new ShapeMismatchError({
      what: `x has ${rows} samples but y has ${y.shape[0]}`,
      where,
      fix: 'Pass one target (or label) per row of x.',
    });
  }
  const data = y.dataSync() as ArrayLike<number>;
  checkFinite(data, where);
  return { rows, columns: y.rank === 1 ? 1 : (y.shape[1] ?? 1), data, vector: y.rank === 1 };
}

/** The class labels of `y` `[n]`, ascending and distinct. */
export function uniqueLabels(values: ArrayLike<number>): number[] {
  return [...new Set(Array.from(values))].sort((a, b) => a - b);
}

/** Checks that `x` has the `columns` the estimator was fitted with. */
export function checkFeatureCount(x: DenseRows, columns: number, where: string): void {
  if (x.columns !== columns) {
    throw new ShapeMismatchError({
      what: `X has ${x.columns} features, but the estimator is expecting ${columns} features as input`,
      where,
      fix: 'Predict on rows with the same features as the rows it was fitted on.',
    });
  }
}

/** The error for reading a fitted attribute (or predicting) before `fit`; carries the original's "not fitted". */
export function notFittedError(name: string, what: string): InvalidValueError {
  return new InvalidValueError({
    what: `Model not fitted: ${name}.${what} needs fit() first`,
    where: name,
    fix: 'Call fit(x, y) before reading fitted attributes or predicting.',
  });
}
