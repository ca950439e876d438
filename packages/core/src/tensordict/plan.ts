// Writes to a TensorDict (constructor, set, update) are planned as a list of operations, checked against a
// simulation of the dict first and only then carried out, so that bad input changes and owns nothing.
import * as tf from '@tensorflow/tfjs-core';

import { DisposedError, InvalidKeyError, InvalidValueError, ShapeMismatchError } from '../errors.js';
import { formatKey, toKeyPath, type KeyPath } from '../keys.js';
import { isPlainObject } from '../value-guards.js';
import { isTensorDict } from './brand.js';
import { isTensor } from '../value-guards.js';
import { tensorOwner } from './ownership.js';
import { shareHandle } from './share-handle.js';
import { copyNonTensorValue, describeNonTensor, NonTensor, rejectTensorsInside } from './non-tensor.js';
import { formatShape, shapeStartsWith } from './shape.js';
import type { DictAccess, Stored } from './dict-access.js';
import type { TensorDict } from './tensor-dict.js';

/**
 * One planned write. `dict` creates an empty nested dict (or, with `merge`, keeps an existing one); `adopt`
 * nests an existing TensorDict; a `tensor` with `copy` stores a clone of the handle.
 *
 * @example
 * const op: WriteOp = { kind: 'tensor', path: toKeyPath('x'), tensor: x, copy: false };
 */
export type WriteOp =
  | { readonly kind: 'tensor'; readonly path: KeyPath; readonly tensor: tf.Tensor; readonly copy: boolean }
  | { readonly kind: 'leaf'; readonly path: KeyPath; readonly leaf: NonTensor }
  | { readonly kind: 'adopt'; readonly path: KeyPath; readonly dict: TensorDict }
  | {
      readonly kind: 'dict';
      readonly path: KeyPath;
      readonly batchShape: readonly number[] | undefined;
      readonly merge: boolean;
    };

const extend = (path: readonly string[], segment: string, where: string): KeyPath =>
  toKeyPath([...path, segment] as unknown as KeyPath, where);

/**
 * Turns one value to store at `path` into write operations: a plain object becomes a nested dict and its
 * entries, a tensor, TensorDict or {@link NonTensor} stays itself, anything else becomes a non-tensor leaf.
 *
 * @example
 * valueToOps(['attr'], { input: x }, false, 'set("attr")', ops);
 */
export function valueToOps(
  path: KeyPath,
  value: unknown,
  merge: boolean,
  where: string,
  out: WriteOp[],
): void {
  if (isTensor(value)) {
    out.push({ kind: 'tensor', path, tensor: value, copy: false });
  } else if (isTensorDict(value)) {
    out.push({ kind: 'adopt', path, dict: value });
  } else if (value instanceof NonTensor) {
    out.push({ kind: 'leaf', path, leaf: value });
  } else if (isPlainObject(value)) {
    out.push({ kind: 'dict', path, batchShape: undefined, merge });
    for (const [segment, inner] of Object.entries(value)) {
      valueToOps(extend(path, segment, where), inner, merge, where, out);
    }
  } else if (value === undefined) {
    throw new InvalidValueError({
      what: `The value for ${formatKey(path)} is undefined`,
      where,
      fix: 'Leave the key out (or delete() it), or store nonTensor(undefined) on purpose.',
    });
  } else {
    rejectTensorsInside(value, `${where}, entry ${formatKey(path)}`);
    out.push({ kind: 'leaf', path, leaf: new NonTensor(value) });
  }
}

/**
 * Turns constructor or `update` input (a plain nested object, or an iterable of `[key, value]` pairs) into
 * write operations.
 *
 * @example
 * entriesToOps([[['attr', 'input'], x]], false, 'new TensorDict()');
 */
export function entriesToOps(entries: unknown, merge: boolean, where: string): WriteOp[] {
  const out: WriteOp[] = [];
  if (isPlainObject(entries)) {
    for (const [segment, value] of Object.entries(entries)) {
      valueToOps(toKeyPath(segment, where), value, merge, where, out);
    }
    return out;
  }
  const iterable =
    typeof entries === 'object' &&
    entries !== null &&
    !isTensorDict(entries) &&
    typeof (entries as Partial<Iterable<unknown>>)[Symbol.iterator] === 'function';
  if (!iterable) {
    throw new InvalidValueError({
      what: `Entries must be a plain object or an iterable of [key, value] pairs, got ${isTensorDict(entries) ? 'a TensorDict' : describeNonTensor(entries)}`,
      where,
      fix: isTensorDict(entries)
        ? 'Use td.clone() to copy a TensorDict, or update(td) to merge one in.'
        : "Pass e.g. { input: x } or [['input', x]].",
    });
  }
  let index = 0;
  for (const pair of entries as Iterable<unknown>) {
    if (!Array.isArray(pair) || pair.length !== 2) {
      throw new InvalidValueError({
        what: `Entry ${index} is not a [key, value] pair`,
        where,
        fix: "Give each entry as a two-element array, e.g. ['input', x].",
      });
    }
    const [key, value] = pair as unknown[];
    valueToOps(toKeyPath(key as KeyPath, `${where}, entry ${index}`), value, merge, where, out);
    index++;
  }
  return out;
}

interface Shadow {
  readonly batch: readonly number[];
  readonly real: TensorDict | undefined;
  readonly over: Map<string, ShadowEntry>;
}
type ShadowEntry = { readonly dict: Shadow } | { readonly value: tf.Tensor | NonTensor };

function lookup(shadow: Shadow, segment: string, access: DictAccess): ShadowEntry | undefined {
  const hit = shadow.over.get(segment);
  if (hit !== undefined || shadow.real === undefined) return hit;
  const stored = access.entry(shadow.real, segment);
  if (stored === undefined) return undefined;
  if (stored instanceof tf.Tensor || stored instanceof NonTensor) return { value: stored };
  const entry = { dict: { batch: access.batchShape(stored), real: stored, over: new Map() } };
  shadow.over.set(segment, entry);
  return entry;
}

function batchMismatch(
  key: KeyPath,
  what: string,
  shape: readonly number[],
  batch: readonly number[],
  where: string,
): ShapeMismatchError {
  return new ShapeMismatchError({
    what: `${what} at ${formatKey(key)} has shape ${formatShape(shape)}, which does not start with the batch shape ${formatShape(batch)}`,
    where,
    fix: `Every entry's leading dims must equal the batch shape of the TensorDict holding it: give it leading dims ${formatShape(batch)} (tf.reshape, tf.expandDims), or use a TensorDict whose batch shape fits.`,
  });
}

/**
 * Checks write operations against `root` without changing anything: batch dims, live and unowned tensors,
 * adoptable TensorDicts, keys that would pass through a leaf. Throws the first problem found.
 *
 * @example
 * validateOps(td, ops, access, 'set("input")');
 */
export function validateOps(
  root: TensorDict,
  ops: readonly WriteOp[],
  access: DictAccess,
  where: string,
): void {
  const top: Shadow = { batch: access.batchShape(root), real: root, over: new Map() };
  const claimed = new Map<tf.Tensor, KeyPath>();
  const adopted = new Set<TensorDict>();
  const ancestors = new Set<TensorDict>();
  for (let dict: TensorDict | undefined = root; dict !== undefined; dict = access.owner(dict))
    ancestors.add(dict);

  for (const op of ops) {
    let parent = top;
    const last = op.path.length - 1;
    for (let depth = 0; depth < last; depth++) {
      const segment = op.path[depth] ?? '';
      const entry = lookup(parent, segment, access);
      if (entry === undefined) {
        const created: Shadow = { batch: parent.batch, real: undefined, over: new Map() };
        parent.over.set(segment, { dict: created });
        parent = created;
      } else if ('dict' in entry) {
        parent = entry.dict;
      } else {
        const prefix = toKeyPath(op.path.slice(0, depth + 1) as unknown as KeyPath);
        throw new InvalidKeyError({
          what: `Cannot write ${formatKey(op.path)}: ${formatKey(prefix)} holds a ${entry.value instanceof tf.Tensor ? 'tensor' : describeNonTensor(entry.value.value)}, not a nested TensorDict`,
          where,
          fix: `Delete ${formatKey(prefix)} first, or choose a key that does not pass through a leaf.`,
        });
      }
    }
    const segment = op.path[last] ?? '';
    switch (op.kind) {
      case 'tensor': {
        const { tensor } = op;
        if (tensor.isDisposed) {
          throw new DisposedError({
            what: `The tensor for ${formatKey(op.path)} is already disposed`,
            where,
            fix: 'Pass a live tensor. A TensorDict owns the tensors set into it: do not dispose them yourself.',
          });
        }
        if (!shapeStartsWith(tensor.shape, parent.batch)) {
          throw batchMismatch(op.path, 'The tensor', tensor.shape, parent.batch, where);
        }
        const existing = lookup(parent, segment, access);
        const sameAgain = existing !== undefined && 'value' in existing && existing.value === tensor;
        if (!op.copy && !sameAgain) {
          const first = claimed.get(tensor);
          const owner = tensorOwner(tensor);
          if (first !== undefined || owner !== undefined) {
            throw new InvalidValueError({
              what:
                first === undefined
                  ? `The tensor for ${formatKey(op.path)} already belongs to a TensorDict (its entry ${JSON.stringify(owner?.segment)})`
                  : `The same tensor is given for ${formatKey(first)} and ${formatKey(op.path)}`,
              where,
              fix: 'A TensorDict owns each tensor handle once: pass tf.clone(tensor) (a handle of its own on the same values).',
            });
          }
          claimed.set(tensor, op.path);
        }
        parent.over.set(segment, { value: tensor });
        break;
      }
      case 'leaf':
        parent.over.set(segment, { value: op.leaf });
        break;
      case 'adopt': {
        const { dict } = op;
        if (dict.isDisposed) {
          throw new DisposedError({
            what: `The TensorDict for ${formatKey(op.path)} is disposed`,
            where,
            fix: 'Pass a live TensorDict.',
          });
        }
        if (access.owner(dict) !== undefined || adopted.has(dict) || ancestors.has(dict)) {
          throw new InvalidValueError({
            what: `The TensorDict for ${formatKey(op.path)} is already nested in a TensorDict (or would contain itself)`,
            where,
            fix: 'A TensorDict has one owner: pass td.clone() instead.',
          });
        }
        const batch = access.batchShape(dict);
        if (!shapeStartsWith(batch, parent.batch)) {
          throw batchMismatch(op.path, 'The nested TensorDict', batch, parent.batch, where);
        }
        adopted.add(dict);
        parent.over.set(segment, { dict: { batch, real: dict, over: new Map() } });
        break;
      }
      case 'dict': {
        const existing = lookup(parent, segment, access);
        if (op.merge && existing !== undefined && 'dict' in existing) break;
        const batch = op.batchShape ?? parent.batch;
        if (!shapeStartsWith(batch, parent.batch)) {
          throw batchMismatch(op.path, 'The nested TensorDict', batch, parent.batch, where);
        }
        parent.over.set(segment, { dict: { batch, real: undefined, over: new Map() } });
        break;
      }
    }
  }
}

/**
 * The writes that merge `source` into another dict: its nested dicts (kept where they exist, created with
 * their own batch shapes where not), cloned tensor handles and copied non-tensor leaves.
 *
 * @example
 * writeOps(td, copyOps(other, access), access, 'update()');
 */
export function copyOps(
  source: TensorDict,
  access: DictAccess,
  prefix: readonly string[] = [],
  out: WriteOp[] = [],
): WriteOp[] {
  for (const [segment, stored] of access.entries(source)) {
    const path = Object.freeze([...prefix, segment]) as unknown as KeyPath;
    if (isTensor(stored)) {
      out.push({ kind: 'tensor', path, tensor: stored, copy: true });
    } else if (stored instanceof NonTensor) {
      out.push({ kind: 'leaf', path, leaf: new NonTensor(copyNonTensorValue(stored.value)) });
    } else {
      out.push({ kind: 'dict', path, batchShape: access.batchShape(stored), merge: true });
      copyOps(stored, access, path, out);
    }
  }
  return out;
}

function parentFor(root: TensorDict, path: KeyPath, access: DictAccess): TensorDict {
  let dict = root;
  for (const segment of path.slice(0, -1)) {
    const existing = access.entry(dict, segment);
    if (isTensorDict(existing)) {
      dict = existing;
    } else {
      const child = access.create(access.batchShape(dict), dict);
      access.put(dict, segment, child);
      dict = child;
    }
  }
  return dict;
}

/**
 * Checks write operations with {@link validateOps}, then carries them out. Entries they replace are disposed
 * last, after every write, so that nothing is disposed when a check fails.
 *
 * @example
 * writeOps(td, entriesToOps({ x }, false, 'set("x")'), access, 'set("x")');
 */
export function writeOps(root: TensorDict, ops: readonly WriteOp[], access: DictAccess, where: string): void {
  validateOps(root, ops, access, where);
  const doomed: Stored[] = [];
  for (const op of ops) {
    const parent = parentFor(root, op.path, access);
    const segment = op.path[op.path.length - 1] ?? '';
    const existing = access.entry(parent, segment);
    let value: Stored | undefined;
    switch (op.kind) {
      case 'tensor':
        value = existing === op.tensor ? undefined : op.copy ? shareHandle(op.tensor) : op.tensor;
        break;
      case 'leaf':
        value = op.leaf;
        break;
      case 'adopt':
        value = op.dict;
        break;
      case 'dict':
        value =
          op.merge && isTensorDict(existing)
            ? undefined
            : access.create(op.batchShape ?? access.batchShape(parent), parent);
        break;
    }
    if (value === undefined) continue;
    const old = access.put(parent, segment, value);
    if (old !== undefined && old !== value) doomed.push(old);
  }
  for (const stored of doomed) access.release(stored);
}
