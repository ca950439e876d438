import * as tf from '@tensorflow/tfjs-core';

import { DisposedError, InvalidValueError, ShapeMismatchError, UnknownPathError } from '../errors.js';
import { formatKey } from '../keys.js';
import { isTensorDict } from '../tensordict/brand.js';
import { sameShape } from '../tensordict/shape.js';
import { isTensor } from '../value-guards.js';
import type { TensorDict } from '../tensordict/tensor-dict.js';
import type { ParameterEntry } from './parameter-entries.js';

/** A checked write: the parameter and the value to give it (lent by the caller's TensorDict). */
export interface PlannedWrite {
  readonly entry: ParameterEntry;
  readonly value: tf.Tensor;
}

function nearKeys(key: string, known: readonly string[]): string {
  // Keys sharing the longest start are the likeliest meant; an index written `[0]` is `.0` in a key.
  const wanted = key.replace(/\[(\d+)\]/g, '.$1');
  const score = (candidate: string): number => {
    let shared = 0;
    while (shared < wanted.length && wanted[shared] === candidate[shared]) shared += 1;
    return shared;
  };
  const ranked = [...known].sort((a, b) => score(b) - score(a)).slice(0, 5);
  const more = known.length > ranked.length ? `, … (${known.length} in all)` : '';
  return known.length === 0
    ? 'The model has no parameters.'
    : `Parameters near it: ${ranked.join(', ')}${more}.`;
}

/**
 * Checks every entry of `params` against the model's parameters before anything is written: each key names a
 * parameter (`UnknownPathError`, listing near keys), holds a tensor of that parameter's shape
 * (`ShapeMismatchError`) and dtype, with finite values (`InvalidValueError`). Returns the writes in the
 * dict's order.
 *
 * @example
 * const writes = planWrites(collectParameters(model), params, 'writeParameters()');
 */
export function planWrites(
  entries: readonly ParameterEntry[],
  params: TensorDict,
  where: string,
): PlannedWrite[] {
  if (!isTensorDict(params)) {
    throw new InvalidValueError({
      what: 'The parameters must be a TensorDict',
      where,
      fix: 'Pass a TensorDict keyed by parameter keys, e.g. from readParameters(model).',
    });
  }
  if (params.isDisposed) {
    throw new DisposedError({
      what: 'The parameters TensorDict was disposed',
      where,
      fix: 'Pass a live TensorDict.',
    });
  }
  const byKey = new Map(entries.map((entry) => [entry.info.key, entry]));
  const writes: PlannedWrite[] = [];
  for (const [path, value] of params.entries()) {
    const key = path.length === 1 ? path[0] : formatKey(path);
    const at = `${where}, key '${key}'`;
    const entry = path.length === 1 ? byKey.get(path[0]) : undefined;
    if (entry === undefined) {
      const nested =
        path.length > 1 ? ' (parameter keys are flat strings such as "conv1.kernel", not nested)' : '';
      throw new UnknownPathError({
        what: `No parameter of the model has the key ${key}${nested}`,
        where: at,
        fix: `Use the keys listParameters(model) gives. ${nearKeys(key, [...byKey.keys()])}`,
      });
    }
    if (!isTensor(value)) {
      throw new InvalidValueError({
        what: `The entry '${key}' is not a tensor`,
        where: at,
        fix: "Store a tensor of the parameter's shape and dtype.",
      });
    }
    const { shape, dtype } = entry.info;
    if (!sameShape(value.shape, shape)) {
      throw new ShapeMismatchError({
        what: `Parameter '${key}' has shape [${shape.join(', ')}], the value has shape [${value.shape.join(', ')}]`,
        where: at,
        fix: "Give a value of the parameter's own shape (listParameters(model) lists them).",
      });
    }
    if (value.dtype !== dtype) {
      throw new InvalidValueError({
        what: `Parameter '${key}' is ${dtype}, the value is ${value.dtype}`,
        where: at,
        fix: `Cast it first: tf.cast(value, '${dtype}').`,
      });
    }
    writes.push({ entry, value });
  }
  checkFinite(writes, where);
  return writes;
}

function checkFinite(writes: readonly PlannedWrite[], where: string): void {
  const floats = writes.filter((write) => write.value.dtype === 'float32');
  if (floats.length === 0) return;
  // Fast path, one read of each value and one download in all: the sum of every entry's sum is finite when
  // every value is (NaN and ±Inf propagate). A non-finite total may also be an overflow of large finite
  // values, so only then are the entries checked exactly, to name the bad one or clear the alarm.
  const total = tf.tidy(() => tf.addN(floats.map((write) => tf.sum(write.value))));
  const [sum] = total.dataSync();
  total.dispose();
  if (Number.isFinite(sum)) return;
  const flags = tf.tidy(() =>
    tf.stack(floats.map((write) => tf.cast(tf.all(tf.isFinite(write.value)), 'int32'))),
  );
  const finite = flags.dataSync();
  flags.dispose();
  const bad = floats.findIndex((_, index) => finite[index] !== 1);
  const write = floats[bad];
  if (write !== undefined) {
    throw new InvalidValueError({
      what: `The value for parameter '${write.entry.info.key}' has NaN or infinite entries`,
      where: `${where}, key '${write.entry.info.key}'`,
      fix: 'Write finite values only; check the arithmetic that produced them.',
    });
  }
}
