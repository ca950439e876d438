import * as tf from '@tensorflow/tfjs-core';

import { InvalidValueError, ShapeMismatchError } from '../errors.js';
import { describeStructure } from '../hooks/tensor-leaves.js';
import { isTensor } from '../value-guards.js';
import type { TargetJSON } from './target.js';

/**
 * A new value for the selected units: a tensor broadcastable to the selection's shape (same dtype), a number,
 * or a function of the current selection that returns such a tensor.
 *
 * @example
 * const zero: ReplacementValue = 0;
 * const doubled: ReplacementValue = (selection) => tf.mul(selection, 2);
 */
export type ReplacementValue = tf.Tensor | number | ((selection: tf.Tensor) => tf.Tensor);

/** The units picked out of one tensor: the axis (non-negative) and the units on it, or all of them. */
interface Selection {
  readonly axis: number;
  readonly indices: readonly number[] | undefined;
  readonly shape: readonly number[];
}

/**
 * The part of a target that says which units of a tensor: the axis and the indices on it (all if omitted).
 * A {@link TargetJSON} is one.
 *
 * @example
 * const columns: TargetUnits = { featureAxis: -1, indices: [0, 5] };
 */
export type TargetUnits = Pick<TargetJSON, 'featureAxis' | 'indices'>;

function resolveSelection(tensor: tf.Tensor, units: TargetUnits, where: string): Selection {
  const { shape } = tensor;
  if (units.indices === undefined) return { axis: 0, indices: undefined, shape };
  const axis = units.featureAxis < 0 ? units.featureAxis + shape.length : units.featureAxis;
  const size = shape[axis];
  if (size === undefined || axis < 0) {
    throw new InvalidValueError({
      what: `featureAxis ${units.featureAxis} is out of range for a tensor ${describeStructure(tensor)}`,
      where,
      fix:
        shape.length === 0
          ? 'A scalar has no units to pick: omit indices.'
          : `Use an axis from ${-shape.length} to ${shape.length - 1}.`,
    });
  }
  const indices = units.indices.map((index) => {
    if (index < -size || index >= size) {
      throw new InvalidValueError({
        what: `Index ${index} is out of range for axis ${units.featureAxis} of a tensor ${describeStructure(tensor)}`,
        where,
        fix: `Use indices from ${-size} to ${size - 1}.`,
      });
    }
    return index < 0 ? index + size : index;
  });
  return { axis, indices, shape: shape.map((dim, position) => (position === axis ? indices.length : dim)) };
}

/**
 * Checks that a target's axis and indices fit `tensor` (an `InvalidValueError` naming its shape if not),
 * without computing anything.
 *
 * @example
 * checkUnits(kernel, { featureAxis: 1, indices: [70] }); // throws: index 70 is out of range for float32[16,64]
 */
export function checkUnits(tensor: tf.Tensor, units: TargetUnits, where = 'checkUnits'): void {
  resolveSelection(tensor, units, where);
}

/**
 * The selected units of `tensor`, as a new tensor that keeps the axis: indices [2] on a [3,20] tensor give
 * [3,1]. Every unit (a copy) when the target has no indices. An out-of-range axis or index is an
 * `InvalidValueError` naming the tensor's shape. The caller owns the result.
 *
 * @example
 * const column = selectUnits(activation, { featureAxis: -1, indices: [2] }); // [batch, 1]
 */
export function selectUnits(tensor: tf.Tensor, units: TargetUnits, where = 'selectUnits'): tf.Tensor {
  const { axis, indices } = resolveSelection(tensor, units, where);
  return tf.tidy(() => (indices === undefined ? tf.clone(tensor) : gatherUnits(tensor, axis, indices)));
}

// Slices and concat rather than gather: their gradients exist on every backend (gather's needs
// UnsortedSegmentSum, which stock wasm lacks) and are cheap for the few units a target usually names.
function runs(positions: readonly number[]): [start: number, length: number][] {
  const found: [number, number][] = [];
  for (const position of positions) {
    const last = found.at(-1);
    if (last !== undefined && last[0] + last[1] === position) last[1] += 1;
    else found.push([position, 1]);
  }
  return found;
}

function sliceAlong(tensor: tf.Tensor, axis: number, start: number, length: number): tf.Tensor {
  const begin = tensor.shape.map((_, position) => (position === axis ? start : 0));
  const size = tensor.shape.map((dim, position) => (position === axis ? length : dim));
  return tf.slice(tensor, begin, size);
}

function joinAlong(pieces: tf.Tensor[], axis: number): tf.Tensor {
  const [only] = pieces;
  return only !== undefined && pieces.length === 1 ? only : tf.concat(pieces, axis);
}

function gatherUnits(tensor: tf.Tensor, axis: number, indices: readonly number[]): tf.Tensor {
  const pieces = runs(indices).map(([start, length]) => sliceAlong(tensor, axis, start, length));
  return joinAlong(pieces, axis);
}

function broadcastable(from: readonly number[], to: readonly number[]): boolean {
  if (from.length > to.length) return false;
  const offset = to.length - from.length;
  return from.every((dim, position) => dim === 1 || dim === to[position + offset]);
}

/** The replacement broadcast to the selection, and the tensor the caller gave (directly or from a function). */
interface FittedReplacement {
  readonly fitted: tf.Tensor;
  readonly given: tf.Tensor | undefined;
}

function fitReplacement(
  value: ReplacementValue,
  current: () => tf.Tensor,
  like: tf.Tensor,
  shape: readonly number[],
  where: string,
): FittedReplacement {
  if (typeof value === 'number') return { fitted: tf.fill([...shape], value, like.dtype), given: undefined };
  const replacement: unknown = typeof value === 'function' ? value(current()) : value;
  if (!isTensor(replacement)) {
    throw new InvalidValueError({
      what: `A replacement function returned ${describeStructure(replacement)}, not a tensor`,
      where,
      fix: 'Return a tensor of the selection’s shape (or one broadcastable to it).',
    });
  }
  const expected = `${like.dtype}[${shape.join(',')}]`;
  if (replacement.dtype !== like.dtype || !broadcastable(replacement.shape, shape)) {
    throw new ShapeMismatchError({
      what: `A replacement ${describeStructure(replacement)} does not fit the selection ${expected}`,
      where,
      fix: `Give a ${like.dtype} tensor broadcastable to [${shape.join(',')}], or a number.`,
    });
  }
  // Already the selection's shape: used as it is (broadcastTo would copy it, one kernel per call).
  const fitted =
    replacement.shape.join() === shape.join() ? replacement : tf.broadcastTo(replacement, [...shape]);
  return { fitted, given: replacement };
}

// The result's stretches along the axis, in order: kept units of `tensor` and columns of `fitted` (the last of
// repeated indices wins; neighbouring units taking neighbouring columns share one slice, and the whole
// replacement is used as it is). O(k log k) in the k indices, not O(axis size): this runs on every hooked call.
function replacedPieces(
  tensor: tf.Tensor,
  fitted: tf.Tensor,
  axis: number,
  indices: readonly number[],
): tf.Tensor[] {
  const columnOf = new Map<number, number>();
  indices.forEach((unit, column) => columnOf.set(unit, column));
  const pieces: tf.Tensor[] = [];
  let next = 0;
  let run: [start: number, length: number] | undefined;
  const flush = (): void => {
    if (run !== undefined) {
      const [start, length] = run;
      pieces.push(
        start === 0 && length === fitted.shape[axis] ? fitted : sliceAlong(fitted, axis, start, length),
      );
    }
    run = undefined;
  };
  for (const unit of [...columnOf.keys()].sort((a, b) => a - b)) {
    const column = columnOf.get(unit) ?? 0;
    if (unit > next) {
      flush();
      pieces.push(sliceAlong(tensor, axis, next, unit - next));
    }
    if (run !== undefined && run[0] + run[1] === column) run[1] += 1;
    else {
      flush();
      run = [column, 1];
    }
    next = unit + 1;
  }
  flush();
  const size = tensor.shape[axis] ?? 0;
  if (next < size) pieces.push(sliceAlong(tensor, axis, next, size - next));
  return pieces;
}

/**
 * A copy of `tensor` with only the selected units replaced by `value`; every other value, the shape and the
 * dtype are kept. Differentiable: gradients reach the kept units of `tensor` and, through `value`, whatever
 * it was computed from. A replacement that does not broadcast to the selection is a `ShapeMismatchError`.
 * The caller owns the result; `value` stays the caller's.
 *
 * @example
 * const patched = replaceUnits(activation, { featureAxis: -1, indices: [2] }, 100); // column 2 set to 100
 */
export function replaceUnits(
  tensor: tf.Tensor,
  units: TargetUnits,
  value: ReplacementValue,
  where = 'replaceUnits',
): tf.Tensor {
  const { axis, indices, shape } = resolveSelection(tensor, units, where);
  return tf.tidy(() => {
    const current = (): tf.Tensor => (indices === undefined ? tensor : gatherUnits(tensor, axis, indices));
    const { fitted, given } = fitReplacement(value, current, tensor, shape, where);
    const result =
      indices === undefined ? fitted : joinAlong(replacedPieces(tensor, fitted, axis, indices), axis);
    // Never hand back a tensor the caller holds (the input, or the replacement it gave): the result is
    // disposed on its own.
    return result === tensor || result === given ? tf.clone(result) : result;
  });
}
