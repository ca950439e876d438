import * as tf from '@tensorflow/tfjs-core';
import { formatKey, InvalidValueError, MissingKeyError, type Key, type TensorDict } from '@tdhook/core';
import { isTensor } from '@tdhook/core/plugin';

type Values = Float32Array | Int32Array | Uint8Array;

/**
 * A tensor's values kept on the host, stored in a TensorDict as one batch-neutral leaf: the dimension
 * workflow's samples, dimensions and summaries describe datasets, not the samples of the batch (`[C, S, F]`
 * samples do not start with the batch dim S), so they are stored shape-neutral, as the original stores
 * them (`NonTensorData`). Nothing to dispose: it holds no TF.js memory. Read it back as a tensor with
 * {@link getShapeNeutralTensor} (or `toTensor()`); treat `values` as read-only.
 *
 * @example
 * const stored = ShapeNeutralTensor.from(tf.tensor1d([3, 3, 3, 3]));
 * stored.shape; // [4]
 * const dimensions = stored.toTensor(); // a new tensor, yours to dispose
 */
export class ShapeNeutralTensor {
  readonly shape: readonly number[];
  readonly dtype: 'float32' | 'int32' | 'bool';
  /** Row-major values (bool as 0/1 bytes). */
  readonly values: Values;

  constructor(values: Values, shape: readonly number[], dtype: 'float32' | 'int32' | 'bool') {
    const size = shape.reduce((total, length) => total * length, 1);
    if (values.length !== size) {
      throw new InvalidValueError({
        what: `${values.length} values do not fill shape [${shape.join(', ')}]`,
        where: 'ShapeNeutralTensor',
        fix: 'Give exactly as many values as the shape holds.',
      });
    }
    this.values = values;
    this.shape = Object.freeze([...shape]);
    this.dtype = dtype;
    Object.freeze(this);
  }

  /**
   * Copies a tensor's values to the host (the tensor stays the caller's). Complex and string tensors are
   * not supported.
   *
   * @example
   * const stored = ShapeNeutralTensor.from(samples); // samples may be disposed afterwards
   */
  static from(tensor: tf.Tensor): ShapeNeutralTensor {
    const dtype = tensor.dtype;
    if (dtype !== 'float32' && dtype !== 'int32' && dtype !== 'bool') {
      throw new InvalidValueError({
        what: `A ${dtype} tensor cannot be stored shape-neutral`,
        where: 'ShapeNeutralTensor.from',
        fix: 'Cast it to float32 or int32 first.',
      });
    }
    // A copy: a backend may hand out its own buffer.
    return new ShapeNeutralTensor(tensor.dataSync<typeof dtype>().slice(), tensor.shape, dtype);
  }

  /**
   * A new tensor with these values (the caller owns it).
   *
   * @example
   * const dimensions = (result.get(['metrics', 'dimension']) as ShapeNeutralTensor).toTensor();
   * dimensions.dispose();
   */
  toTensor(): tf.Tensor {
    return tf.tensor(this.values, [...this.shape], this.dtype);
  }
}

/**
 * The tensor at `key` as a new tensor (the caller owns it), whether it is stored as a tensor or as a
 * {@link ShapeNeutralTensor} (what the dimension workflow writes). A typed error if it is missing or
 * neither.
 *
 * @example
 * const dimensions = getShapeNeutralTensor(result, ['metrics', 'dimension']); // [C]
 * console.log(dimensions.arraySync());
 * dimensions.dispose();
 */
export function getShapeNeutralTensor(data: TensorDict, key: Key): tf.Tensor {
  const where = 'getShapeNeutralTensor';
  if (!data.has(key)) {
    throw new MissingKeyError({
      what: `Nothing at ${formatKey(key)}`,
      where,
      fix: `Known keys: ${data
        .keys()
        .slice(0, 10)
        .map((known) => formatKey(known))
        .join(', ')}.`,
    });
  }
  const value = data.get(key);
  if (value instanceof ShapeNeutralTensor) return value.toTensor();
  if (isTensor(value)) return tf.clone(value);
  throw new InvalidValueError({
    what: `The value at ${formatKey(key)} is neither a tensor nor a ShapeNeutralTensor`,
    where,
    fix: 'Read the key a dimension-workflow step wrote (samples, dimensions or the summary).',
  });
}
