// Builds a new TensorDict from an existing one, leaf by leaf: the shared engine of clone, select, exclude,
// apply and every batch operation. Whatever fails midway, the partial result is disposed.

import { DisposedError, InvalidValueError, ShapeMismatchError } from '../errors.js';
import { formatKey, type KeyPath } from '../keys.js';
import { isTensorDict } from './brand.js';
import { isTensor } from '../value-guards.js';
import type { DictAccess } from './dict-access.js';
import { describeEntry } from './format.js';
import type { KeyFilter } from './key-filter.js';
import { copyNonTensorValue, NonTensor } from './non-tensor.js';
import { tensorOwner } from './ownership.js';
import { shareHandle } from './share-handle.js';
import { formatShape, shapeStartsWith } from './shape.js';
import type { TensorDict } from './tensor-dict.js';
import type { ApplyFn } from './tensor-dict-types.js';

const freezePath = (prefix: readonly string[], segment: string): KeyPath =>
  Object.freeze([...prefix, segment]) as unknown as KeyPath;

function takeResult(
  target: TensorDict,
  segment: string,
  path: KeyPath,
  result: unknown,
  where: string,
  access: DictAccess,
): void {
  if (result === undefined) return;
  if (!isTensor(result)) {
    throw new InvalidValueError({
      what: `The function returned ${describeEntry(result)} for ${formatKey(path)}, not a tensor`,
      where,
      fix: 'Return a tf.Tensor, or undefined to drop the entry.',
    });
  }
  if (result.isDisposed) {
    throw new DisposedError({
      what: `The function returned a disposed tensor for ${formatKey(path)}`,
      where,
      fix: 'Return a live tensor, and do not dispose the tensor you were given.',
    });
  }
  // Its argument, or another dict's tensor: the result needs a handle of its own.
  const tensor = tensorOwner(result) === undefined ? result : shareHandle(result);
  const batch = access.batchShape(target);
  if (!shapeStartsWith(tensor.shape, batch)) {
    tensor.dispose();
    throw new ShapeMismatchError({
      what: `The result for ${formatKey(path)} has shape ${formatShape(tensor.shape)}, which does not start with the batch shape ${formatShape(batch)}`,
      where,
      fix: 'Keep the leading batch dims, or pass apply(fn, { batchShape }) with the batch shape fn produces.',
    });
  }
  access.put(target, segment, tensor);
}

function fill(
  source: TensorDict,
  target: TensorDict,
  prefix: readonly string[],
  transform: ApplyFn,
  filter: KeyFilter | undefined,
  where: string,
  access: DictAccess,
): void {
  for (const [segment, stored] of access.entries(source)) {
    const path = freezePath(prefix, segment);
    const decision = filter === undefined ? 'all' : filter.decide(path);
    if (decision === 'none') continue;
    if (isTensorDict(stored)) {
      // A nested dict keeps its extra batch dims behind the parent's (possibly new) batch shape.
      const extra = access.batchShape(stored).slice(access.batchShape(source).length);
      const child = access.create([...access.batchShape(target), ...extra], target);
      access.put(target, segment, child);
      fill(stored, child, path, transform, decision === 'all' ? undefined : filter, where, access);
      if (decision === 'some' && filter?.pruneEmpty === true && child.isEmpty) access.remove(target, segment);
    } else if (decision === 'all') {
      // ('some' on a leaf: a key below a leaf was asked for, so there is nothing to take.)
      if (stored instanceof NonTensor) {
        access.put(target, segment, new NonTensor(copyNonTensorValue(stored.value)));
      } else {
        takeResult(target, segment, path, transform(stored, path), where, access);
      }
    }
  }
}

/**
 * A new TensorDict with `source`'s structure and batch shape `batchShape` (nested dicts keep their extra
 * dims), each tensor leaf mapped through `transform`, non-tensor leaves shallow-copied, and only the entries
 * `filter` keeps. The result owns every tensor in it; on an error it is disposed and the error rethrown.
 *
 * @example
 * const copy = rebuild(td, td.batchShape, (x) => tf.clone(x), undefined, 'clone()', access);
 */
export function rebuild(
  source: TensorDict,
  batchShape: readonly number[],
  transform: ApplyFn,
  filter: KeyFilter | undefined,
  where: string,
  access: DictAccess,
): TensorDict {
  const result = access.create(batchShape, undefined);
  try {
    fill(source, result, [], transform, filter, where, access);
  } catch (error) {
    result.dispose();
    throw error;
  }
  return result;
}
