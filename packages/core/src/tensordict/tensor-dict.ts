import * as tf from '@tensorflow/tfjs-core';

import { DisposedError, InvalidValueError, MissingKeyError } from '../errors.js';
import { formatKey, toKeyPath, type Key, type KeyPath } from '../keys.js';
import type { DictAccess, Stored } from './dict-access.js';
import { describeEntry, formatTensorDict } from './format.js';
import { excludeFilter, selectFilter } from './key-filter.js';
import { isPlainObject } from '../value-guards.js';
import { NonTensor } from './non-tensor.js';
import { installPrototypeExtras } from './prototype-extras.js';
import { claimTensor, releaseTensor } from './ownership.js';
import { copyOps, entriesToOps, valueToOps, writeOps, type WriteOp } from './plan.js';
import { rebuild } from './rebuild.js';
import { shareHandle } from './share-handle.js';
import { checkBatchShape } from './shape.js';
import { expandBatch, indexBatch, reshapeBatch, sliceBatch, unsqueezeBatch } from './tensor-dict-batch.js';
import { addDicts, lerpDicts, scaleDict, subDicts } from './tensor-dict-arithmetic.js';
import { concatDicts, splitDicts, stackDicts } from './tensor-dict-combine.js';
import type {
  ApplyFn,
  ApplyOptions,
  KeysOptions,
  SelectOptions,
  TensorDictEntries,
  TensorDictOptions,
} from './tensor-dict-types.js';

const freezePath = (prefix: readonly string[], segment: string): KeyPath =>
  Object.freeze([...prefix, segment]) as unknown as KeyPath;

/**
 * A mutable, nested mapping from keys to leaves, with a batch shape: the container tdhook passes between
 * models, hooks and attribution methods (a port of Python tensordict's TensorDict).
 *
 * - Leaves are `tf.Tensor`s or non-tensor values (strings, numbers, arrays, class instances, …). A nested
 *   entry is a TensorDict. Plain objects given to the constructor, `set` or `update` become nested
 *   TensorDicts; wrap one in {@link nonTensor} to store it as a leaf.
 * - Every tensor's leading dims equal the batch shape of the TensorDict holding it; a nested TensorDict's batch
 *   shape starts with its parent's. Non-tensor leaves are batch-neutral.
 *
 * **Ownership.** A TensorDict owns every tensor in it. `set` (and the constructor, and `update` with plain
 * entries) transfers ownership of the tensor to the dict; `get` lends it, valid until the entry is
 * overwritten or deleted or the dict is disposed. Overwriting or deleting an entry disposes the old tensor
 * (unless the very same tensor is set again). A tensor handle belongs to one entry of one dict: to store the
 * same values twice, store `tf.clone(tensor)` (a handle of its own; on wasm it copies the data). Every operation that returns a
 * new TensorDict (`select`, `clone`, `apply`, `index`, `stack`, …) returns one that owns its own handles, so
 * disposing one dict never invalidates another. A nested TensorDict is owned by its parent: dispose the
 * outermost one. `dispose()` (or `using`) disposes everything; any later use throws {@link DisposedError}.
 * Bad input throws before anything changes, and then the caller keeps its tensors.
 *
 * @example
 * using td = new TensorDict({ input: tf.ones([2, 16]), step: 'ig' }, { batchShape: [2] });
 * td.set(['attr', 'input'], tf.zeros([2, 16])); // creates the nested dict "attr"
 * using first = td.index(0);                     // batchShape [], input float32[16]
 * console.log(td.toString());
 */
export class TensorDict implements Disposable {
  static readonly #access: DictAccess = {
    entry: (dict, segment) => dict.#entries.get(segment),
    entries: (dict) => dict.#entries,
    batchShape: (dict) => dict.#batchShape,
    owner: (dict) => dict.#owner,
    create: (batchShape, owner) => {
      const dict = new TensorDict(undefined, { batchShape });
      dict.#owner = owner;
      return dict;
    },
    put: (dict, segment, value) => {
      const old = dict.#entries.get(segment);
      dict.#entries.set(segment, value);
      if (value instanceof TensorDict) value.#owner = dict;
      else if (value instanceof tf.Tensor) claimTensor(value, dict, segment);
      return old;
    },
    remove: (dict, segment) => {
      dict.#entries.delete(segment);
    },
    release: (stored) => {
      if (stored instanceof TensorDict) {
        stored.#disposeTree();
      } else if (stored instanceof tf.Tensor) {
        releaseTensor(stored);
        stored.dispose();
      }
    },
  };

  readonly #batchShape: readonly number[];
  readonly #entries = new Map<string, Stored>();
  #owner: TensorDict | undefined = undefined;
  #disposed = false;

  /**
   * Builds a TensorDict from a plain nested object or `[key, value]` pairs, taking ownership of the tensors
   * and TensorDicts in it once everything checks out.
   *
   * @example
   * const td = new TensorDict({ input: x, attr: { input: a } }, { batchShape: [2] });
   * const same = new TensorDict([['input', x2], [['attr', 'input'], a2]], { batchShape: [2] });
   */
  constructor(entries?: TensorDictEntries, options: TensorDictOptions = {}) {
    const where = 'new TensorDict()';
    installPrototypeExtras(TensorDict.prototype);
    this.#batchShape = checkBatchShape(options.batchShape ?? [], `${where}, option batchShape`);
    if (entries !== undefined) writeOps(this, entriesToOps(entries, false, where), TensorDict.#access, where);
  }

  /**
   * Stacks TensorDicts along a new batch dim at `axis` (from `-(n+1)` to `n` for `n` batch dims). They must
   * have the same keys, batch shapes, per-key shapes and dtypes, and equal non-tensor leaves; otherwise a
   * ShapeMismatchError (or InvalidValueError for non-tensor leaves) names the first differing key.
   *
   * @example
   * using batch = TensorDict.stack([a, b, c]); // batchShape [16] each → [3, 16]
   */
  static stack(dicts: readonly TensorDict[], axis = 0): TensorDict {
    return stackDicts(dicts, axis);
  }

  /**
   * Concatenates TensorDicts along the existing batch dim `axis`; they must agree in everything except the
   * size of that dim.
   *
   * @example
   * using all = TensorDict.concat([first, second]); // batchShape [2] and [3] → [5]
   */
  static concat(dicts: readonly TensorDict[], axis = 0): TensorDict {
    return concatDicts(dicts, axis);
  }

  /**
   * The leading dims shared by every tensor (`[]` for none).
   *
   * @example
   * new TensorDict({}, { batchShape: [2, 3] }).batchShape; // [2, 3]
   */
  get batchShape(): readonly number[] {
    this.#alive('batchShape');
    return this.#batchShape;
  }

  /**
   * True once the dict was disposed (directly, or with its owner, or by an overwrite or delete).
   *
   * @example
   * td.dispose(); td.isDisposed; // true
   */
  get isDisposed(): boolean {
    return this.#disposed;
  }

  /**
   * True if the dict has no entries at its top level.
   *
   * @example
   * new TensorDict().isEmpty; // true
   */
  get isEmpty(): boolean {
    this.#alive('isEmpty');
    return this.#entries.size === 0;
  }

  /**
   * The entry at `key`, lent: a tensor, a nested TensorDict, or a non-tensor value (unwrapped). Throws
   * {@link MissingKeyError}, listing existing keys, if there is none.
   *
   * @example
   * const x = td.get(['attr', 'input']) as tf.Tensor;
   */
  get(key: Key): unknown {
    const stored = this.#lookup(key, 'get');
    return stored instanceof NonTensor ? stored.value : stored;
  }

  /**
   * The tensor at `key`, lent (valid until the entry is overwritten or deleted, or the dict disposed).
   * Throws {@link InvalidValueError} if the entry is not a tensor.
   *
   * @example
   * const x = td.getTensor('input');
   */
  getTensor(key: Key): tf.Tensor {
    const stored = this.#lookup(key, 'getTensor');
    if (stored instanceof tf.Tensor) return stored;
    throw this.#wrongKind(key, stored, 'a tensor', 'getTensor');
  }

  /**
   * The nested TensorDict at `key`, lent (it stays owned by this dict: do not dispose it).
   *
   * @example
   * const attr = td.getDict('attr');
   */
  getDict(key: Key): TensorDict {
    const stored = this.#lookup(key, 'getDict');
    if (stored instanceof TensorDict) return stored;
    throw this.#wrongKind(key, stored, 'a nested TensorDict', 'getDict');
  }

  /**
   * True if there is an entry (leaf or nested dict) at `key`.
   *
   * @example
   * td.has(['attr', 'input']); // true
   */
  has(key: Key): boolean {
    const path = toKeyPath(key, 'has(key)');
    if (this.#disposed) this.#alive(`has(${formatKey(path)})`);
    return this.#find(path, 0) !== undefined;
  }

  /**
   * Stores `value` at `key`, taking ownership of a tensor or TensorDict (see the class notes). Missing nested
   * dicts on the way are created with this dict's batch shape; a plain object becomes a nested TensorDict
   * (replacing what was there). Throws, changing nothing, if a tensor's leading dims do not match.
   *
   * @example
   * td.set('input', tf.ones([2, 16])).set(['attr', 'input'], tf.zeros([2, 16]));
   */
  set(key: Key, value: unknown): this {
    const path = toKeyPath(key, 'set(key)');
    const where = `set(${formatKey(path)})`;
    this.#alive(where);
    const ops: WriteOp[] = [];
    valueToOps(path, value, false, where, ops);
    writeOps(this, ops, TensorDict.#access, where);
    return this;
  }

  /**
   * Removes the entry at `key` (a leaf or a whole nested dict) and disposes what it held. Returns false if
   * there was none.
   *
   * @example
   * td.delete(['attr', 'input']); // true
   */
  delete(key: Key): boolean {
    const path = toKeyPath(key, 'delete(key)');
    this.#alive(`delete(${formatKey(path)})`);
    const parent = path.length === 1 ? this : this.#find(path.slice(0, -1), 0);
    if (!(parent instanceof TensorDict)) return false;
    const segment = path[path.length - 1] ?? '';
    const stored = parent.#entries.get(segment);
    if (stored === undefined) return false;
    parent.#entries.delete(segment);
    TensorDict.#access.release(stored);
    return true;
  }

  /**
   * Merges entries in: nested dicts are merged key by key, leaves overwrite (disposing the old tensors). From a
   * TensorDict, tensors are cloned handles (the argument stays valid and owned by the caller); from plain
   * entries, tensors are moved in as with `set`. Each entry must fit this dict's batch shapes; on an error
   * nothing changes.
   *
   * @example
   * td.update({ attr: { baseline: tf.zeros([2, 16]) } }); // keeps ["attr","input"]
   * td.update(other);                                      // other stays usable
   */
  update(other: TensorDict | TensorDictEntries): this {
    const where = 'update()';
    this.#alive(where);
    if (other instanceof TensorDict && other.#disposed) {
      throw new DisposedError({
        what: 'The TensorDict to merge in was disposed',
        where,
        fix: 'Pass a live TensorDict.',
      });
    }
    const ops =
      other instanceof TensorDict ? copyOps(other, TensorDict.#access) : entriesToOps(other, true, where);
    writeOps(this, ops, TensorDict.#access, where);
    return this;
  }

  /**
   * The keys, in insertion order, nested dicts before their contents.
   *
   * @example
   * td.keys();                        // [['input'], ['attr', 'input']]
   * td.keys({ leavesOnly: false });   // [['input'], ['attr'], ['attr', 'input']]
   * td.keys({ nested: false });       // [['input']]
   */
  keys(options: KeysOptions = {}): KeyPath[] {
    return this.#list(options, 'keys()').map(([path]) => path);
  }

  /**
   * `[key, value]` pairs in the order of {@link TensorDict.keys}; values are lent as with `get`.
   *
   * @example
   * for (const [key, value] of td.entries()) console.log(formatKey(key), value);
   */
  entries(options: KeysOptions = {}): [KeyPath, unknown][] {
    return this.#list(options, 'entries()').map(([path, stored]) => [
      path,
      stored instanceof NonTensor ? stored.value : stored,
    ]);
  }

  /**
   * A new TensorDict with only the given keys (a nested dict key brings its whole subtree), with cloned
   * handles. A missing key throws {@link MissingKeyError} unless the last argument is `{ strict: false }`.
   *
   * @example
   * using inputs = td.select('input', ['attr', 'input']);
   * using some = td.select('input', 'maybe', { strict: false });
   */
  select(...args: Key[] | [...keys: Key[], options: SelectOptions]): TensorDict {
    const last: unknown = args[args.length - 1];
    const options: SelectOptions = isPlainObject(last) ? last : {};
    const keys = (isPlainObject(last) ? args.slice(0, -1) : args) as Key[];
    const paths = keys.map((key, index) => toKeyPath(key, `select(), key ${index}`));
    const where = `select(${paths.map((path) => formatKey(path)).join(', ')})`;
    this.#alive(where);
    if (options.strict ?? true) {
      for (const path of paths) {
        if (this.#find(path, 0) === undefined) throw this.#missing(path, where);
      }
    }
    return rebuild(this, this.#batchShape, shareHandle, selectFilter(paths), where, TensorDict.#access);
  }

  /**
   * A new TensorDict without the given keys (and their subtrees), with cloned handles. Missing keys are
   * ignored.
   *
   * @example
   * using rest = td.exclude(['attr', 'input'], 'step');
   */
  exclude(...keys: Key[]): TensorDict {
    const paths = keys.map((key, index) => toKeyPath(key, `exclude(), key ${index}`));
    const where = `exclude(${paths.map((path) => formatKey(path)).join(', ')})`;
    this.#alive(where);
    return rebuild(this, this.#batchShape, shareHandle, excludeFilter(paths), where, TensorDict.#access);
  }

  /**
   * A new TensorDict with `fn` applied to every tensor leaf (non-tensor leaves and nested dicts are kept).
   * `fn` runs inside `tf.tidy`; the tensor it returns is owned by the result (its argument, or a tensor owned
   * by a dict, is cloned instead); `undefined` drops the leaf. With `batchShape`, the result gets that batch
   * shape and nested dicts get it followed by their own extra dims. If `fn` throws or returns a wrong shape,
   * everything made so far is disposed.
   *
   * @example
   * using doubled = td.apply((x) => tf.mul(x, 2));
   * using summed = td.apply((x) => tf.sum(x, 0), { batchShape: [] });
   */
  apply(fn: ApplyFn, options: ApplyOptions = {}): TensorDict {
    const where = 'apply()';
    this.#alive(where);
    if (typeof (fn as unknown) !== 'function') {
      throw new InvalidValueError({
        what: 'apply() needs a function',
        where,
        fix: 'Pass (tensor, key) => newTensor, returning undefined to drop an entry.',
      });
    }
    const batch =
      options.batchShape === undefined
        ? this.#batchShape
        : checkBatchShape(options.batchShape, `${where}, option batchShape`);
    const tidied: ApplyFn = (tensor, key) => tf.tidy(() => fn(tensor, key));
    return rebuild(this, batch, tidied, undefined, where, TensorDict.#access);
  }

  /**
   * A deep copy: new nested dicts, cloned tensor handles (sharing data, no copy) and shallow copies of
   * non-tensor values.
   *
   * @example
   * using copy = td.clone();
   */
  clone(): TensorDict {
    this.#alive('clone()');
    return rebuild(this, this.#batchShape, shareHandle, undefined, 'clone()', TensorDict.#access);
  }

  /**
   * Element `i` of batch dim 0 as a new TensorDict without that dim (negative `i` counts from the end;
   * range-checked). Non-tensor leaves are kept.
   *
   * @example
   * using first = td.index(0); // batchShape [2] → [], input [2,16] → [16]
   */
  index(i: number): TensorDict {
    this.#alive('index()');
    return indexBatch(this, i);
  }

  /**
   * Elements `[start, end)` of batch dim 0 as a new TensorDict, python-style: negative bounds count from the
   * end, out-of-range bounds are clamped, `end` defaults to the size.
   *
   * @example
   * using head = td.slice(0, 2);
   * using last = td.slice(-1);
   */
  slice(start: number, end?: number): TensorDict {
    this.#alive('slice()');
    return sliceBatch(this, start, end);
  }

  /**
   * A new TensorDict with the batch dims reshaped (feature dims untouched); the element count must match, and
   * one `-1` is inferred.
   *
   * @example
   * using grid = td.reshape([2, -1]); // batchShape [6] → [2, 3]
   */
  reshape(batchShape: readonly number[]): TensorDict {
    this.#alive('reshape()');
    return reshapeBatch(this, batchShape, 'reshape()');
  }

  /**
   * Merges all batch dims into one (`[2, 3]` → `[6]`, `[]` → `[1]`). Undo with `reshape(oldBatchShape)`.
   *
   * @example
   * using flat = td.flattenBatch(); // batchShape [6]
   */
  flattenBatch(): TensorDict {
    this.#alive('flattenBatch()');
    return reshapeBatch(
      this,
      [this.#batchShape.reduce((product, size) => product * size, 1)],
      'flattenBatch()',
    );
  }

  /**
   * A new TensorDict with a batch dim of size 1 inserted at `axis` (negative counts within the batch dims + 1,
   * so `-1` appends one after the last batch dim).
   *
   * @example
   * using batched = td.unsqueeze(0); // batchShape [16] → [1, 16]
   */
  unsqueeze(axis: number): TensorDict {
    this.#alive('unsqueeze()');
    return unsqueezeBatch(this, axis);
  }

  /**
   * A new TensorDict broadcast to a larger batch shape: new leading dims, and dims of size 1 may grow; `-1`
   * keeps an existing dim. The data is repeated.
   *
   * @example
   * using wide = td.expand([4, 2]); // batchShape [2] → [4, 2]
   */
  expand(batchShape: readonly number[]): TensorDict {
    this.#alive('expand()');
    return expandBatch(this, batchShape);
  }

  /**
   * Splits along batch dim `axis` into new TensorDicts, by a part count (which must divide the dim) or by part
   * sizes (summing to the dim; one `-1` takes the rest). The caller owns (and disposes) every part.
   *
   * @example
   * const [train, test] = td.split([8, 2]); // batchShape [10] → [8] and [2]
   */
  split(sizes: number | readonly number[], axis = 0): TensorDict[] {
    this.#alive('split()');
    return splitDicts(this, sizes, axis);
  }

  /**
   * A new TensorDict holding `this + other` entry by entry. Both must have exactly the same tensor keys, with
   * equal shapes and dtypes (a `MissingKeyError` or `ShapeMismatchError` names the first key that differs);
   * neither input changes. Non-tensor leaves are kept from `this`.
   *
   * @example
   * using merged = pretrained.add(tau);
   */
  add(other: TensorDict): TensorDict {
    this.#alive('add()');
    return addDicts(this, other);
  }

  /**
   * A new TensorDict holding `this − other` entry by entry (same keys, shapes and dtypes, as for `add`).
   *
   * @example
   * using tau = finetuned.sub(pretrained); // a task vector
   */
  sub(other: TensorDict): TensorDict {
    this.#alive('sub()');
    return subDicts(this, other);
  }

  /**
   * A new TensorDict with every tensor multiplied by `factor` (a finite number).
   *
   * @example
   * using forget = tau.scale(-1);
   */
  scale(factor: number): TensorDict {
    this.#alive('scale()');
    return scaleDict(this, factor);
  }

  /**
   * A new TensorDict holding `this + weight · (other − this)` entry by entry: `weight` 0 gives this dict's
   * values and 1 gives `other`'s, both exactly (computed as torch.lerp does; same keys, shapes and dtypes,
   * as for `add`).
   *
   * @example
   * using halfway = pretrained.lerp(finetuned, 0.5);
   */
  lerp(other: TensorDict, weight: number): TensorDict {
    this.#alive('lerp()');
    return lerpDicts(this, other, weight);
  }

  /**
   * Disposes every tensor (recursively) and marks the dict disposed. A second call does nothing. A nested
   * dict cannot be disposed while its parent lives (dispose the parent, or `delete` the entry).
   *
   * @example
   * td.dispose();
   */
  dispose(): void {
    if (this.#disposed) return;
    if (this.#owner !== undefined && !this.#owner.#disposed) {
      throw new InvalidValueError({
        what: 'This TensorDict is nested in another TensorDict, which owns it',
        where: 'dispose()',
        fix: 'Dispose the outermost TensorDict, or delete() the entry from its parent.',
      });
    }
    this.#disposeTree();
  }

  /**
   * Disposes the dict at the end of a `using` block.
   *
   * @example
   * { using td = new TensorDict({ x: tf.ones([2]) }); } // disposed here
   */
  [Symbol.dispose](): void {
    this.dispose();
  }

  /**
   * A readable multi-line listing: the batch shape, then each key with dtype and shape (or the type of a
   * non-tensor leaf), nested dicts indented.
   *
   * @example
   * String(td);
   * // TensorDict(batchShape=[2])
   * //   "input": float32[2,16]
   */
  toString(): string {
    return formatTensorDict(this);
  }

  #alive(where: string): void {
    if (this.#disposed) {
      throw new DisposedError({
        what: 'This TensorDict was disposed',
        where,
        fix: 'Do not use a TensorDict after dispose() (or after its owner was disposed or its entry replaced); clone() what you need to keep.',
      });
    }
  }

  #find(path: readonly string[], depth: number): Stored | undefined {
    const stored = this.#entries.get(path[depth] ?? '');
    if (stored === undefined || depth === path.length - 1) return stored;
    return stored instanceof TensorDict ? stored.#find(path, depth + 1) : undefined;
  }

  #lookup(key: Key, method: string): Stored {
    const path = toKeyPath(key, `${method}(key)`);
    // The message's place is formatted only for an error: lookups run several times per workflow step.
    if (this.#disposed) this.#alive(`${method}(${formatKey(path)})`);
    const stored = this.#find(path, 0);
    if (stored === undefined) throw this.#missing(path, `${method}(${formatKey(path)})`);
    return stored;
  }

  #missing(path: KeyPath, where: string): MissingKeyError {
    const known = this.keys({ leavesOnly: false }).map((key) => formatKey(key));
    const shown =
      known.slice(0, 10).join(', ') + (known.length > 10 ? `, … (${known.length - 10} more)` : '');
    return new MissingKeyError({
      what: `No entry ${formatKey(path)}`,
      where,
      fix: known.length === 0 ? 'The TensorDict is empty.' : `Existing keys: ${shown}.`,
    });
  }

  #wrongKind(key: Key, stored: Stored, wanted: string, method: string): InvalidValueError {
    const value = stored instanceof NonTensor ? stored.value : stored;
    return new InvalidValueError({
      what: `The entry ${formatKey(key)} is ${describeEntry(value)}, not ${wanted}`,
      where: `${method}(${formatKey(key)})`,
      fix: 'Use get() for entries of any kind, or check the key.',
    });
  }

  #list(options: KeysOptions, where: string): [KeyPath, Stored][] {
    this.#alive(where);
    const out: [KeyPath, Stored][] = [];
    this.#collect([], options.nested ?? true, options.leavesOnly ?? true, out);
    return out;
  }

  #collect(prefix: readonly string[], nested: boolean, leavesOnly: boolean, out: [KeyPath, Stored][]): void {
    for (const [segment, stored] of this.#entries) {
      const path = freezePath(prefix, segment);
      const isDict = stored instanceof TensorDict;
      if (!isDict || !leavesOnly) out.push([path, stored]);
      if (isDict && nested) stored.#collect(path, nested, leavesOnly, out);
    }
  }

  #disposeTree(): void {
    for (const stored of this.#entries.values()) TensorDict.#access.release(stored);
    this.#entries.clear();
    this.#disposed = true;
  }
}
