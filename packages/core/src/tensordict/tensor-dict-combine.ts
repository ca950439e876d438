// Operations across several TensorDicts (stack, concat) or into several (split). The result's structure and
// non-tensor leaves come from the first dict, after checking that every dict has the same ones.
import * as tf from '@tensorflow/tfjs-core';

import { DisposedError, InvalidValueError, ShapeMismatchError, type TdhookError } from '../errors.js';
import { formatKey, type KeyPath } from '../keys.js';
import { isTensorDict } from './brand.js';
import { isTensor } from '../value-guards.js';
import { describeEntry } from './format.js';
import { nonTensorEqual } from './non-tensor.js';
import { checkInteger, formatShape, normalizeAxis, sameShape } from './shape.js';
import type { TensorDict } from './tensor-dict.js';

type Kind = 'tensor' | 'dict' | 'leaf';
const kindOf = (value: unknown): Kind => (isTensor(value) ? 'tensor' : isTensorDict(value) ? 'dict' : 'leaf');

function checkDicts(dicts: unknown, where: string): readonly [TensorDict, ...TensorDict[]] {
  if (!Array.isArray(dicts) || dicts.length === 0) {
    throw new InvalidValueError({
      what: 'Expected a non-empty array of TensorDicts',
      where,
      fix: 'Pass at least one TensorDict.',
    });
  }
  (dicts as unknown[]).forEach((td, index) => {
    if (!isTensorDict(td)) {
      throw new InvalidValueError({
        what: `dicts[${index}] is ${describeEntry(td)}, not a TensorDict`,
        where,
        fix: 'Pass TensorDicts only.',
      });
    }
    if (td.isDisposed) {
      throw new DisposedError({ what: `dicts[${index}] was disposed`, where, fix: 'Pass live TensorDicts.' });
    }
  });
  return dicts as [TensorDict, ...TensorDict[]];
}

/**
 * Compares `other` with `template` level by level and returns the first difference as an error, or
 * undefined. With `ignoreAxis`, that batch axis may differ in size (concatenation).
 */
function findDifference(
  template: TensorDict,
  other: TensorDict,
  index: number,
  ignoreAxis: number | undefined,
  prefix: readonly string[],
  where: string,
): TdhookError | undefined {
  const op = where.replace(/\(.*$/, '');
  const mismatch = (key: readonly string[], detail: string): ShapeMismatchError =>
    new ShapeMismatchError({
      what: `The TensorDicts differ at ${key.length === 0 ? 'the top level' : formatKey(key as unknown as KeyPath)}: ${detail}`,
      where,
      fix: `${op} needs the same keys, dtypes and shapes in every dict${ignoreAxis === undefined ? '' : ' (except along the joined axis)'}: select() the common keys, or fix the differing entry.`,
    });
  if (!sameShape(template.batchShape, other.batchShape, ignoreAxis)) {
    return mismatch(
      prefix,
      `dicts[0] has batch shape ${formatShape(template.batchShape)}, dicts[${index}] has ${formatShape(other.batchShape)}`,
    );
  }
  const theirs = new Map(
    other.entries({ nested: false, leavesOnly: false }).map(([key, value]) => [key[0], value]),
  );
  for (const [[segment], mine] of template.entries({ nested: false, leavesOnly: false })) {
    const key = [...prefix, segment];
    if (!theirs.has(segment)) return mismatch(key, `dicts[${index}] has no such entry`);
    const their = theirs.get(segment);
    theirs.delete(segment);
    const kind = kindOf(mine);
    if (kind !== kindOf(their)) {
      return mismatch(
        key,
        `dicts[0] has ${describeEntry(mine)}, dicts[${index}] has ${describeEntry(their)}`,
      );
    }
    if (isTensor(mine) && isTensor(their)) {
      if (mine.dtype !== their.dtype || !sameShape(mine.shape, their.shape, ignoreAxis)) {
        return mismatch(
          key,
          `dicts[0] has ${describeEntry(mine)}, dicts[${index}] has ${describeEntry(their)}`,
        );
      }
    } else if (isTensorDict(mine) && isTensorDict(their)) {
      const inner = findDifference(mine, their, index, ignoreAxis, key, where);
      if (inner !== undefined) return inner;
    } else if (!nonTensorEqual(mine, their)) {
      return new InvalidValueError({
        what: `The non-tensor leaf ${formatKey(key as unknown as KeyPath)} differs between dicts[0] and dicts[${index}]`,
        where,
        fix: 'Non-tensor leaves are kept once in the result, so they must be equal in every dict: make them equal, or exclude() them first.',
      });
    }
  }
  const [extra] = theirs.keys();
  return extra === undefined ? undefined : mismatch([...prefix, extra], `only dicts[${index}] has it`);
}

function checkSameStructure(
  dicts: readonly TensorDict[],
  ignoreAxis: number | undefined,
  where: string,
): void {
  const [template, ...others] = dicts;
  if (template === undefined) return;
  others.forEach((other, offset) => {
    const difference = findDifference(template, other, offset + 1, ignoreAxis, [], where);
    if (difference !== undefined) throw difference;
  });
}

/**
 * Stacks TensorDicts along a new batch dim at `axis` (from `-(n+1)` to `n` for `n` batch dims). They must have
 * the same keys, batch shapes, per-key shapes and dtypes, and equal non-tensor leaves.
 *
 * @example
 * using batch = TensorDict.stack([a, b, c]); // batchShape [16] each → [3, 16]
 */
export function stackDicts(dicts: readonly TensorDict[], axis = 0): TensorDict {
  const where = 'TensorDict.stack()';
  const checked = checkDicts(dicts, where);
  const [template] = checked;
  const batch = template.batchShape;
  const at = normalizeAxis(axis, batch.length + 1, where, 'axis', 'positions (batch dims + 1)');
  checkSameStructure(checked, undefined, where);
  return template.apply(
    (_, key) =>
      tf.stack(
        checked.map((td) => td.getTensor(key)),
        at,
      ),
    {
      batchShape: [...batch.slice(0, at), checked.length, ...batch.slice(at)],
    },
  );
}

/**
 * Concatenates TensorDicts along the existing batch dim `axis`. They must agree in everything except the size
 * of that dim.
 *
 * @example
 * using all = TensorDict.concat([first, second]); // batchShape [2] and [3] → [5]
 */
export function concatDicts(dicts: readonly TensorDict[], axis = 0): TensorDict {
  const where = 'TensorDict.concat()';
  const checked = checkDicts(dicts, where);
  const [template] = checked;
  const batch = template.batchShape;
  const at = normalizeAxis(axis, batch.length, where, 'axis', 'batch dims');
  checkSameStructure(checked, at, where);
  const total = checked.reduce((sum, td) => sum + (td.batchShape[at] ?? 0), 0);
  return template.apply(
    (_, key) =>
      tf.concat(
        checked.map((td) => td.getTensor(key)),
        at,
      ),
    {
      batchShape: batch.map((size, index) => (index === at ? total : size)),
    },
  );
}

function splitSizes(sizes: unknown, dim: number, where: string): number[] {
  if (typeof sizes === 'number') {
    const count = checkInteger(sizes, where, 'the number of parts');
    if (count < 1 || dim % count !== 0) {
      throw new ShapeMismatchError({
        what: `Cannot split a batch dim of size ${dim} into ${count} equal parts`,
        where,
        fix: 'Pass a count that divides the dim, or an array of part sizes.',
      });
    }
    return new Array<number>(count).fill(dim / count);
  }
  const list: unknown[] = Array.isArray(sizes) ? sizes : [];
  const valid =
    list.length > 0 &&
    list.every((size) => typeof size === 'number' && Number.isSafeInteger(size) && size >= -1) &&
    list.filter((size) => size === -1).length <= 1;
  if (!valid) {
    throw new InvalidValueError({
      what: `Invalid split sizes ${JSON.stringify(sizes)}`,
      where,
      fix: 'Pass a part count, or a non-empty array of non-negative sizes with at most one -1.',
    });
  }
  const numbers = list as number[];
  const known = numbers.reduce((sum, size) => (size === -1 ? sum : sum + size), 0);
  const resolved = numbers.map((size) => (size === -1 ? dim - known : size));
  if (resolved.some((size) => size < 0) || resolved.reduce((sum, size) => sum + size, 0) !== dim) {
    throw new ShapeMismatchError({
      what: `Split sizes ${JSON.stringify(sizes)} do not add up to the batch dim of size ${dim}`,
      where,
      fix: `Give sizes that sum to ${dim} (or use one -1 for the rest).`,
    });
  }
  return resolved;
}

/**
 * Splits a TensorDict along batch dim `axis` into parts, given a part count (which must divide the dim) or the
 * part sizes (summing to the dim; one `-1` takes the rest). Each part owns its tensors.
 *
 * @example
 * const [train, test] = td.split([8, 2]); // batchShape [10] → [8] and [2]
 * const halves = td.split(2, 1);          // [4, 6] → two of [4, 3]
 */
export function splitDicts(td: TensorDict, sizes: number | readonly number[], axis = 0): TensorDict[] {
  const where = 'split()';
  const batch = td.batchShape;
  const at = normalizeAxis(axis, batch.length, where, 'axis', 'batch dims');
  const parts = splitSizes(sizes, batch[at] ?? 0, where);
  const results: TensorDict[] = [];
  try {
    let offset = 0;
    for (const size of parts) {
      const from = offset;
      results.push(
        td.apply(
          (tensor) =>
            tf.slice(
              tensor,
              tensor.shape.map((_, index) => (index === at ? from : 0)),
              tensor.shape.map((_, index) => (index === at ? size : -1)),
            ),
          { batchShape: batch.map((dim, index) => (index === at ? size : dim)) },
        ),
      );
      offset += size;
    }
  } catch (error) {
    for (const part of results) part.dispose();
    throw error;
  }
  return results;
}
