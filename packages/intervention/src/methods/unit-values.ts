import * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError, ShapeMismatchError } from '@tdhook/core';
import {
  describeStructure,
  describeTarget,
  isTensor,
  mapTensorLeaves,
  replaceUnits,
  selectUnits,
  tensorLeaves,
} from '@tdhook/core/plugin';

import type { ModuleEntry } from './module-entries.js';

/** The tensor of a module's output that `entry` names (its `outputIndex`, 0 for a bare path). */
export function outputTensor(output: unknown, entry: ModuleEntry, where: string): tf.Tensor {
  const leaves = tensorLeaves(output);
  const index = entry.units.outputIndex ?? 0;
  const leaf = leaves[index];
  if (leaf === undefined || (!entry.targeted && leaves.length !== 1)) {
    throw new InvalidValueError({
      what: `Module '${entry.path}' returned ${describeStructure(output)}, ${leaf === undefined ? `which has no tensor ${index}` : 'not one tensor'}`,
      where,
      fix:
        leaves.length === 0
          ? 'Name a module that returns a tensor.'
          : `Use a Target with an outputIndex from 0 to ${leaves.length - 1}: { path: '${entry.path}', outputIndex: 0 }.`,
    });
  }
  return leaf;
}

/** The entry's units of `output` (every unit for a bare path), as a new tensor that keeps the axis. */
export function selectEntry(output: unknown, entry: ModuleEntry, where: string): tf.Tensor {
  return selectUnits(
    outputTensor(output, entry, where),
    entry.units,
    `${where} ${describeTarget(entry.units)}`,
  );
}

/**
 * What a capture keeps of `output` (kept: the model runs inside a tidy): the entry's units for a Target, else
 * a new handle on the whole tensor's data (a reshape, which no backend copies; a clone copies on wasm).
 */
export function keptValue(output: unknown, entry: ModuleEntry, where: string): tf.Tensor {
  if (entry.targeted) return tf.keep(selectEntry(output, entry, where));
  const leaf = outputTensor(output, entry, where);
  return tf.keep(tf.reshape(leaf, leaf.shape));
}

/** The output with the entry's units replaced by `value` (broadcast to them), structure kept. */
export function replaceEntry(output: unknown, entry: ModuleEntry, value: tf.Tensor, where: string): unknown {
  const leaf = outputTensor(output, entry, where);
  const replaced = replaceUnits(leaf, entry.units, value, `${where} ${describeTarget(entry.units)}`);
  const index = entry.units.outputIndex ?? 0;
  return mapTensorLeaves(output, (tensor, position) => (position === index ? replaced : tensor));
}

/** Checks what a user callback returned: a tensor, else an `InvalidValueError` naming the callback. */
export function checkReturnedTensor(
  value: unknown,
  callback: string,
  entry: ModuleEntry,
  where: string,
): tf.Tensor {
  if (!isTensor(value)) {
    throw new InvalidValueError({
      what: `${callback} returned ${describeStructure(value)} for '${entry.path}', not a tensor`,
      where,
      fix: `Return a tensor shaped like the ${entry.targeted ? "Target's units" : "module's output"} (or broadcastable to it).`,
    });
  }
  return value;
}

/** A `ShapeMismatchError` unless the two activations have the same shape (a patch must fit where it goes). */
export function checkSameShape(
  clean: tf.Tensor,
  patched: tf.Tensor,
  entry: ModuleEntry,
  where: string,
): void {
  const same = clean.rank === patched.rank && clean.shape.every((size, axis) => size === patched.shape[axis]);
  if (!same) {
    throw new ShapeMismatchError({
      what: `The clean run's activation of '${entry.path}' has shape [${clean.shape.join(',')}], the patched run's [${patched.shape.join(',')}]`,
      where,
      fix: 'Give the clean and the patched run inputs of the same shape (same batch size and sequence length).',
    });
  }
}
