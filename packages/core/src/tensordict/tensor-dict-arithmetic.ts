// Entry-wise arithmetic between TensorDicts with the same keys and shapes (θ_ft − θ_pre in one line). Every
// function returns a new dict that owns its tensors; the inputs are never changed.
import * as tf from '@tensorflow/tfjs-core';

import { DisposedError, InvalidValueError, MissingKeyError, ShapeMismatchError } from '../errors.js';
import { formatKey } from '../keys.js';
import { isTensorDict } from './brand.js';
import { describeEntry } from './format.js';
import { formatShape, sameShape } from './shape.js';
import type { TensorDict } from './tensor-dict.js';
import { isTensor } from '../value-guards.js';

function tensorLeaves(td: TensorDict): Map<string, tf.Tensor> {
  const leaves = new Map<string, tf.Tensor>();
  for (const [key, value] of td.entries()) {
    if (isTensor(value)) leaves.set(formatKey(key), value);
  }
  return leaves;
}

function checkOther(td: TensorDict, other: unknown, where: string): Map<string, tf.Tensor> {
  if (!isTensorDict(other) || other.isDisposed) {
    throw new (isTensorDict(other) ? DisposedError : InvalidValueError)({
      what: `The other operand is ${isTensorDict(other) ? 'disposed' : describeEntry(other)}, not a live TensorDict`,
      where,
      fix: 'Pass a live TensorDict with the same keys and shapes.',
    });
  }
  const mine = tensorLeaves(td);
  const theirs = tensorLeaves(other);
  // Every key of either side, this dict's first: the first one missing or different is the one named.
  for (const name of new Set([...mine.keys(), ...theirs.keys()])) {
    const a = mine.get(name);
    const b = theirs.get(name);
    if (a === undefined || b === undefined) {
      throw new MissingKeyError({
        what: `Tensor ${name} is in ${a === undefined ? 'the other TensorDict' : 'this TensorDict'} only`,
        where: `${where}, key ${name}`,
        fix: 'Both operands need exactly the same tensor keys; select() the common ones first.',
      });
    }
    if (!sameShape(a.shape, b.shape) || a.dtype !== b.dtype) {
      throw new ShapeMismatchError({
        what: `Entry ${name} is ${a.dtype}${formatShape(a.shape)} here and ${b.dtype}${formatShape(b.shape)} in the other TensorDict`,
        where: `${where}, key ${name}`,
        fix: 'Combine dicts whose entries have equal shapes and dtypes (e.g. two readParameters() of one model).',
      });
    }
  }
  return theirs;
}

function checkNumber(value: unknown, name: string, where: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new InvalidValueError({
      what: `${name} must be a finite number, got ${describeEntry(value)}`,
      where,
      fix: `Pass a number such as 0.5 as ${name}.`,
    });
  }
  return value;
}

function combine(
  td: TensorDict,
  other: TensorDict,
  where: string,
  op: (mine: tf.Tensor, theirs: tf.Tensor) => tf.Tensor,
): TensorDict {
  const theirs = checkOther(td, other, where);
  return td.apply((tensor, key) => {
    // checkOther found every key in both, so the fallback never runs.
    return op(tensor, theirs.get(formatKey(key)) ?? tensor);
  });
}

/**
 * `td + other`, entry by entry.
 *
 * @example
 * using sum = addDicts(a, b);
 */
export function addDicts(td: TensorDict, other: TensorDict): TensorDict {
  return combine(td, other, 'add()', (a, b) => tf.add(a, b));
}

/**
 * `td − other`, entry by entry.
 *
 * @example
 * using tau = subDicts(finetuned, pretrained);
 */
export function subDicts(td: TensorDict, other: TensorDict): TensorDict {
  return combine(td, other, 'sub()', (a, b) => tf.sub(a, b));
}

/**
 * `factor · td`, entry by entry.
 *
 * @example
 * using half = scaleDict(td, 0.5);
 */
export function scaleDict(td: TensorDict, factor: number): TensorDict {
  const value = checkNumber(factor, 'factor', 'scale()');
  return td.apply((tensor) => tf.mul(tensor, value));
}

/**
 * `td + weight · (other − td)`, entry by entry: `weight` 0 gives `td` and 1 gives `other`, both exactly. As
 * torch.lerp computes it: from `td`'s side below 0.5, from `other`'s (`other − (1 − weight)·(other − td)`)
 * from 0.5 on, so that neither end carries a rounding error.
 *
 * @example
 * using halfway = lerpDicts(pretrained, finetuned, 0.5);
 */
export function lerpDicts(td: TensorDict, other: TensorDict, weight: number): TensorDict {
  const value = checkNumber(weight, 'weight', 'lerp()');
  return combine(td, other, 'lerp()', (a, b) =>
    value < 0.5 ? tf.add(a, tf.mul(tf.sub(b, a), value)) : tf.sub(b, tf.mul(tf.sub(b, a), 1 - value)),
  );
}
