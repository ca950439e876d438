// Batch operations on one TensorDict: each computes the new batch shape, then maps every tensor leaf through
// `apply`, which keeps the structure, the non-tensor leaves and nested dicts' extra batch dims.
import * as tf from '@tensorflow/tfjs-core';

import { InvalidValueError, ShapeMismatchError } from '../errors.js';
import { checkInteger, formatShape, isIntegerList, normalizeAxis, shapeSize } from './shape.js';
import type { TensorDict } from './tensor-dict.js';

function firstBatchDim(td: TensorDict, where: string): number {
  const size = td.batchShape[0];
  if (size === undefined) {
    throw new InvalidValueError({
      what: 'The TensorDict has batch shape [], so there is no batch dim to index or slice',
      where,
      fix: 'Give it a batch dim first (unsqueeze(0), or build it with a batchShape).',
    });
  }
  return size;
}

/**
 * Element `i` of batch dim 0, as a new TensorDict whose batch shape drops that dim (negative `i` counts from
 * the end). Non-tensor leaves are kept as they are.
 *
 * @example
 * using first = td.index(0);  // batchShape [2] → [], input [2,16] → [16]
 * using last = td.index(-1);
 */
export function indexBatch(td: TensorDict, i: number): TensorDict {
  const where = 'index(i)';
  const size = firstBatchDim(td, where);
  const index = checkInteger(i, where, 'the index');
  if (index < -size || index >= size) {
    throw new InvalidValueError({
      what: `Index ${index} is out of range for batch dim 0 of size ${size}`,
      where,
      fix:
        size === 0
          ? 'The batch dim is empty: there is nothing to index.'
          : `Use an index from ${-size} to ${size - 1}.`,
    });
  }
  const at = index < 0 ? index + size : index;
  return td.apply(
    (tensor) => {
      const begin = tensor.shape.map((_, axis) => (axis === 0 ? at : 0));
      const sizes = tensor.shape.map((dim, axis) => (axis === 0 ? 1 : dim));
      return tf.reshape(tf.slice(tensor, begin, sizes), tensor.shape.slice(1));
    },
    { batchShape: td.batchShape.slice(1) },
  );
}

/**
 * Elements `[start, end)` of batch dim 0, python-style: negative bounds count from the end, bounds past the
 * end are clamped, and `end` defaults to the size (an empty range gives a dim of size 0).
 *
 * @example
 * using head = td.slice(0, 2);
 * using tail = td.slice(-1);
 */
export function sliceBatch(td: TensorDict, start: number, end?: number): TensorDict {
  const where = 'slice(start, end)';
  const size = firstBatchDim(td, where);
  const clamp = (bound: number): number => (bound < 0 ? Math.max(0, bound + size) : Math.min(bound, size));
  const from = clamp(checkInteger(start, where, 'start'));
  const to = Math.max(from, clamp(end === undefined ? size : checkInteger(end, where, 'end')));
  return td.apply(
    (tensor) =>
      tf.slice(
        tensor,
        tensor.shape.map((_, axis) => (axis === 0 ? from : 0)),
        tensor.shape.map((_, axis) => (axis === 0 ? to - from : -1)),
      ),
    { batchShape: [to - from, ...td.batchShape.slice(1)] },
  );
}

/**
 * A new TensorDict with the batch dims reshaped (feature dims untouched). The element count must match;
 * one `-1` is inferred.
 *
 * @example
 * using grid = td.reshape([2, 3]);  // batchShape [6] → [2, 3]
 * using flat = grid.reshape([-1]);  // → [6]
 */
export function reshapeBatch(td: TensorDict, batchShape: readonly number[], where = 'reshape()'): TensorDict {
  const old = td.batchShape;
  const valid = isIntegerList(batchShape, -1) && batchShape.filter((size) => size === -1).length <= 1;
  if (!valid) {
    throw new InvalidValueError({
      what: `Invalid batch shape ${JSON.stringify(batchShape)}: it must be non-negative integers with at most one -1`,
      where,
      fix: 'Pass e.g. [2, 3] or [-1, 3].',
    });
  }
  const total = shapeSize(old);
  const known = shapeSize(batchShape.filter((size) => size !== -1));
  const inferred = batchShape.includes(-1) && known > 0 ? total / known : undefined;
  const resolved = batchShape.map((size) => (size === -1 ? (inferred ?? NaN) : size));
  if (!resolved.every((size) => Number.isInteger(size)) || shapeSize(resolved) !== total) {
    throw new ShapeMismatchError({
      what: `Cannot reshape batch shape ${formatShape(old)} (${total} elements) to ${formatShape(batchShape)}`,
      where,
      fix: `Give a batch shape with ${total} elements in all.`,
    });
  }
  return td.apply((tensor) => tf.reshape(tensor, [...resolved, ...tensor.shape.slice(old.length)]), {
    batchShape: resolved,
  });
}

/**
 * A new TensorDict with a batch dim of size 1 inserted at `axis` (from `-(n+1)` to `n` for `n` batch dims;
 * negative counts from the end, `-1` appends after the last batch dim).
 *
 * @example
 * using batched = td.unsqueeze(0); // batchShape [2] → [1, 2]
 */
export function unsqueezeBatch(td: TensorDict, axis: number): TensorDict {
  const old = td.batchShape;
  const at = normalizeAxis(axis, old.length + 1, 'unsqueeze(axis)', 'axis', 'positions (batch dims + 1)');
  return td.apply((tensor) => tf.expandDims(tensor, at), {
    batchShape: [...old.slice(0, at), 1, ...old.slice(at)],
  });
}

/**
 * A new TensorDict broadcast to a larger batch shape, like tensordict's `expand`: new leading dims are added,
 * and existing dims of size 1 may grow; `-1` keeps an existing dim. The data is repeated.
 *
 * @example
 * using wide = td.expand([4, 2]); // batchShape [2] → [4, 2]
 * using grown = ones.expand([3]);  // batchShape [1] → [3]
 */
export function expandBatch(td: TensorDict, batchShape: readonly number[]): TensorDict {
  const where = 'expand(batchShape)';
  const old = td.batchShape;
  const offset = isIntegerList(batchShape, -1) ? batchShape.length - old.length : -1;
  // -1 keeps an existing dim; it cannot stand for a new one.
  const resolved =
    offset < 0 ? [] : batchShape.map((size, axis) => (size === -1 ? (old[axis - offset] ?? NaN) : size));
  if (offset < 0 || resolved.some(Number.isNaN)) {
    throw new InvalidValueError({
      what: `Invalid batch shape ${JSON.stringify(batchShape)} to expand ${formatShape(old)} to`,
      where,
      fix: `Pass at least ${old.length} non-negative integers, with -1 only where a dim of ${formatShape(old)} is kept.`,
    });
  }
  const clash = old.findIndex((size, axis) => size !== 1 && size !== resolved[axis + offset]);
  if (clash >= 0) {
    throw new ShapeMismatchError({
      what: `Cannot expand batch shape ${formatShape(old)} to ${formatShape(resolved)}: dim ${clash} has size ${old[clash] ?? 0}`,
      where,
      fix: 'Only dims of size 1 can grow; new dims go in front.',
    });
  }
  return td.apply((tensor) => broadcastLeading(tensor, resolved, old.length), { batchShape: resolved });
}

/**
 * Broadcasts the first `batchRank` dims of `tensor` to `batch`. String tensors, which broadcastTo refuses (and
 * the wasm backend cannot tile), are repeated with concat instead.
 */
function broadcastLeading(tensor: tf.Tensor, batch: readonly number[], batchRank: number): tf.Tensor {
  const target = [...batch, ...tensor.shape.slice(batchRank)];
  if (tensor.dtype !== 'string') return tf.broadcastTo(tensor, target);
  const padded = [...new Array<number>(target.length - tensor.rank).fill(1), ...tensor.shape];
  let result = tf.reshape(tensor, padded);
  target.forEach((size, axis) => {
    if (padded[axis] === size) return;
    result =
      size === 0
        ? tf.slice(
            result,
            new Array<number>(target.length).fill(0),
            target.map((_, at) => (at === axis ? 0 : -1)),
          )
        : tf.concat(new Array<tf.Tensor>(size).fill(result), axis);
  });
  return result;
}
