import { formatKey, InvalidValueError, MissingKeyError, type KeyPath, type TensorDict } from '@tdhook/core';
import { isTensor } from '@tdhook/core/plugin';
import type * as tf from '@tensorflow/tfjs-core';

/** The tensor at `key` of `data` (lent), or a typed error naming `what` it should be and how to get it. */
export function readTensor(
  data: TensorDict,
  key: KeyPath,
  what: string,
  where: string,
  fix: string,
): tf.Tensor {
  if (!data.has(key)) {
    throw new MissingKeyError({ what: `No ${what} at ${formatKey(key)} in the TensorDict`, where, fix });
  }
  const value = data.get(key);
  if (!isTensor(value)) {
    throw new InvalidValueError({ what: `The ${what} at ${formatKey(key)} is not a tensor`, where, fix });
  }
  return value;
}

/**
 * The one row every batch entry of `values` (`[rows, width]`, flattened batch first) repeats; a typed error
 * when the rows differ (a selection or a steering vector applies to the whole batch).
 */
export function uniformRow(
  values: Float32Array | Int32Array,
  width: number,
  what: string,
  where: string,
): number[] {
  const rows = width === 0 ? 0 : values.length / width;
  if (rows === 0) {
    throw new InvalidValueError({ what: `The ${what} is empty`, where, fix: 'Run on a non-empty batch.' });
  }
  const first = Array.from(values.subarray(0, width));
  for (let row = 1; row < rows; row++) {
    for (let column = 0; column < width; column++) {
      if (values[row * width + column] !== first[column]) {
        throw new InvalidValueError({
          what: `The ${what} is not the same across the batch (row ${row} differs from row 0)`,
          where,
          fix: 'Write one value for the whole batch, broadcast to every row.',
        });
      }
    }
  }
  return first;
}
