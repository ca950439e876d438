import { InvalidValueError, ShapeMismatchError } from '@tdhook/core';

import { pruneCount, smallestMask } from './prune-count.js';

/**
 * Where a structured pruning cuts: the axis (normalised), the units along it and how they group.
 *
 * @example
 * const layout: UnitLayout = { axis: 1, units: 10, groupSize: 1, inner: 1 };
 */
export interface UnitLayout {
  readonly axis: number;
  readonly units: number;
  readonly groupSize: number;
  /** Entries per step along the axis: the product of the sizes after it. */
  readonly inner: number;
}

/**
 * Checks `axis` and `groupSize` against a weight's shape and gives the unit layout; a bad axis or a group
 * size that does not divide the axis is a typed error.
 *
 * @example
 * unitLayout([3, 3, 8, 16], 3, 1, "weights/pruning modules['conv2']"); // { axis: 3, units: 16, groupSize: 1, inner: 1 }
 */
export function unitLayout(
  shape: readonly number[],
  axis: number,
  groupSize: number,
  where: string,
): UnitLayout {
  const rank = shape.length;
  if (axis < -rank || axis >= rank) {
    throw new InvalidValueError({
      what: `axis ${axis} is outside the weight's ${rank} axes (shape [${shape.join(', ')}])`,
      where: `${where}.axis`,
      fix: `Use an axis in [${-rank}, ${rank - 1}]: e.g. the last axis for a Dense kernel's units or a Conv2D kernel's output channels.`,
    });
  }
  const normalised = axis < 0 ? axis + rank : axis;
  const units = shape[normalised] ?? 1;
  if (units % groupSize !== 0) {
    throw new ShapeMismatchError({
      what: `groupSize ${groupSize} does not divide the ${units} units along axis ${normalised}`,
      where: `${where}.groupSize`,
      fix: 'Use a group size that divides the axis, e.g. the head size dHead for attention heads.',
    });
  }
  const inner = shape.slice(normalised + 1).reduce((product, size) => product * size, 1);
  return { axis: normalised, units, groupSize, inner };
}

/** The unit (slice along the axis) that flat entry `index` belongs to. */
export function unitOf(index: number, layout: UnitLayout): number {
  return Math.floor(index / layout.inner) % layout.units;
}

/**
 * The Ln norm of each group's scores (`norm` = n; `Infinity` takes the largest).
 *
 * @example
 * groupNorms(Float32Array.of(1, 2, 3, 4), { axis: 1, units: 2, groupSize: 1, inner: 1 }, 1); // [4, 6]
 */
export function groupNorms(scores: Float32Array, layout: UnitLayout, norm: number): Float64Array {
  const groups = layout.units / layout.groupSize;
  const sums = new Float64Array(groups);
  for (let index = 0; index < scores.length; index += 1) {
    const group = Math.floor(unitOf(index, layout) / layout.groupSize);
    const value = Math.abs(scores[index] ?? 0);
    if (norm === Infinity) sums[group] = Math.max(sums[group] ?? 0, value);
    else sums[group] = (sums[group] ?? 0) + value ** norm;
  }
  if (norm !== Infinity && norm !== 1) {
    for (let group = 0; group < groups; group += 1) sums[group] = (sums[group] ?? 0) ** (1 / norm);
  }
  return sums;
}

/**
 * Which units a structured pruning zeroes: the `amount` of groups with the smallest Ln norm (ties: the lower
 * index goes first), as a per-unit mask (1 = pruned).
 *
 * @example
 * prunedUnits(scores, layout, { amount: 0.5, norm: 1 }, where); // Uint8Array, one flag per unit
 */
export function prunedUnits(
  scores: Float32Array,
  layout: UnitLayout,
  { amount, norm }: { readonly amount: number; readonly norm: number },
  where: string,
): Uint8Array {
  const norms = groupNorms(scores, layout, norm);
  const groupMask = smallestMask(norms, pruneCount(amount, norms.length, `${where}.amount`));
  const units = new Uint8Array(layout.units);
  for (let unit = 0; unit < layout.units; unit += 1) {
    units[unit] = groupMask[Math.floor(unit / layout.groupSize)] ?? 0;
  }
  return units;
}
