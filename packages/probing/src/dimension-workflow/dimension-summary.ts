import {
  defineOperator,
  InvalidValueError,
  TensorDict,
  type Key,
  type TensorDictOperator,
} from '@tdhook/core';
import { joinKeys } from '@tdhook/core/plugin';

import { ShapeNeutralTensor } from './shape-neutral-tensor.js';

import { defaultDimensionKey, defaultSummaryKey, keyOption, readTensor } from './workflow-keys.js';

/**
 * Options of {@link dimensionSummary}.
 *
 * @example
 * const options: DimensionSummaryOptions = { dims: -1 }; // one summary per row of a [layers, points] estimate
 */
export interface DimensionSummaryOptions {
  /** Where the dimensions are. Default `['metrics', 'dimension']`. */
  readonly inKey?: Key;
  /** Where `count`, `mean` and `std` go (under this key). Default `['metrics', 'dimension_summary']`. */
  readonly outKey?: Key;
  /**
   * The axes to summarise over (negative counts from the end); the others are kept. Default: all of them
   * (one count, mean and std; for a scalar estimate, the value itself).
   */
  readonly dims?: number | readonly number[];
}

const where = 'probing/dimensionSummary';

/** The reduced axes, normalised; undefined `dims` reduces all. */
function reducedAxes(dims: number | readonly number[] | undefined, rank: number): number[] {
  if (dims === undefined) return Array.from({ length: rank }, (_, axis) => axis);
  const given = typeof dims === 'number' ? [dims] : [...dims];
  const axes = given.map((dim) => (Number.isInteger(dim) && dim < 0 ? dim + rank : dim));
  const valid = axes.every((axis) => Number.isInteger(axis) && axis >= 0 && axis < rank);
  if (axes.length === 0 || !valid || new Set(axes).size !== axes.length) {
    throw new InvalidValueError({
      what: `Summary dimensions must be unique valid dimensions of the rank-${rank} estimate, got ${JSON.stringify(dims)}`,
      where,
      fix: `Give distinct axes from ${-rank} to ${rank - 1} (e.g. dims: -1), or leave dims out to summarise everything.`,
    });
  }
  return axes.sort((a, b) => a - b);
}

/** Finite count, mean and population std over `axes` of a row-major array, in float64. */
function summarise(
  values: ArrayLike<number>,
  shape: readonly number[],
  axes: readonly number[],
): { keptShape: number[]; count: Int32Array; mean: Float32Array; std: Float32Array } {
  const keptAxes = shape.map((_, axis) => axis).filter((axis) => !axes.includes(axis));
  const keptShape = keptAxes.map((axis) => shape[axis] as number);
  const groups = keptShape.reduce((total, size) => total * size, 1);
  const strides = shape.map((_, axis) => shape.slice(axis + 1).reduce((total, size) => total * size, 1));
  // The output index of every input element: its kept coordinates, row-major.
  const groupOf = (flat: number): number =>
    keptAxes.reduce(
      (index, axis) =>
        index * (shape[axis] as number) +
        (Math.floor(flat / (strides[axis] as number)) % (shape[axis] as number)),
      0,
    );
  const count = new Int32Array(groups);
  const sum = new Float64Array(groups);
  for (let i = 0; i < values.length; i++) {
    const value = values[i] as number;
    if (!Number.isFinite(value)) continue;
    const group = groupOf(i);
    count[group] = (count[group] as number) + 1;
    sum[group] = (sum[group] as number) + value;
  }
  const meanOf = Float64Array.from(sum, (total, group) => total / (count[group] as number));
  const squares = new Float64Array(groups);
  for (let i = 0; i < values.length; i++) {
    const value = values[i] as number;
    if (!Number.isFinite(value)) continue;
    const group = groupOf(i);
    squares[group] = (squares[group] as number) + (value - (meanOf[group] as number)) ** 2;
  }
  // 0 / 0 is NaN: a slice with nothing finite has no mean and no spread.
  const std = Float32Array.from(squares, (total, group) => Math.sqrt(total / (count[group] as number)));
  return { keptShape, count, mean: Float32Array.from(meanOf), std };
}

/**
 * An operator that summarises the dimensions at `inKey` over `dims`, ignoring NaN and ±Infinity (a
 * per-point estimator gives NaN where a point has too few neighbours): `count` (int32, the finite values),
 * `mean` and `std` (the population standard deviation, dividing by the count), written under `outKey`.
 * Where nothing is finite, count is 0 and mean and std are NaN. It runs no model (0 passes).
 *
 * @example
 * const summary = dimensionSummary({ dims: -1 });
 * // dimensions [[1, NaN, 3], [2, 4, 6]] → count [2, 3], mean [2, 4], std [1, √(8/3)]
 * const { data: result } = new Workflow([summary]).run(model, data);
 * tf.tidy(() => getShapeNeutralTensor(result, ['metrics', 'dimension_summary', 'std']).print());
 * result.dispose();
 */
export function dimensionSummary(options: DimensionSummaryOptions = {}): TensorDictOperator {
  if (typeof options !== 'object' || (options as unknown) === null) {
    throw new InvalidValueError({
      what: 'Options must be an object',
      where,
      fix: 'Pass { dims: -1 } or {}.',
    });
  }
  const inKey = keyOption(options.inKey, defaultDimensionKey, 'inKey', where);
  const outKey = keyOption(options.outKey, defaultSummaryKey, 'outKey', where);
  const dims = options.dims;
  const given = dims === undefined ? [] : typeof dims === 'number' ? [dims] : (dims as unknown);
  if (
    !Array.isArray(given) ||
    given.some((dim) => !Number.isInteger(dim)) ||
    (dims !== undefined && given.length === 0) ||
    new Set(given).size !== given.length
  ) {
    throw new InvalidValueError({
      what: `Summary dimensions must be unique valid dimensions: an integer or a non-empty array of distinct integers, got ${JSON.stringify(dims)}`,
      where,
      fix: 'E.g. dims: -1, or dims: [0, 1]; leave dims out to summarise everything.',
    });
  }
  const names = ['count', 'mean', 'std'] as const;
  return defineOperator({
    name: where,
    inKeys: [inKey],
    outKeys: names.map((name) => joinKeys(outKey, [name])),
    run: (data) => {
      const dimensions = readTensor(
        data,
        inKey,
        'Dimensions',
        where,
        'Estimate them first with dimensionEstimation({ estimator }), or set inKey.',
      );
      let values: ArrayLike<number>;
      try {
        values = dimensions.dataSync();
      } finally {
        dimensions.dispose();
      }
      const axes = reducedAxes(dims, dimensions.rank);
      const { keptShape, count, mean, std } = summarise(values, dimensions.shape, axes);
      return new TensorDict(
        [
          [joinKeys(outKey, ['count']), new ShapeNeutralTensor(count, keptShape, 'int32')],
          [joinKeys(outKey, ['mean']), new ShapeNeutralTensor(mean, keptShape, 'float32')],
          [joinKeys(outKey, ['std']), new ShapeNeutralTensor(std, keptShape, 'float32')],
        ],
        { batchShape: data.batchShape },
      );
    },
  });
}
