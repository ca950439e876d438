import * as tf from '@tensorflow/tfjs-core';
import {
  formatKey,
  InvalidValueError,
  MissingKeyError,
  ShapeMismatchError,
  TensorDict,
  type KeyPath,
} from '@tdhook/core';
import { isTensor, isTensorDict, keyStartsWith } from '@tdhook/core/plugin';

/**
 * The sub-dict `data[key]`, checked to hold a tensor at every model `inKey`: typed errors, before any model
 * call, for a missing sub-dict or input. Returns the data's own sub-dict (a view: do not dispose it).
 *
 * @example
 * const receiving = checkInputsUnder(data, ['patched'], model.inKeys, 'activationPatchingGrid');
 */
export function checkInputsUnder(
  data: TensorDict,
  key: KeyPath,
  inKeys: readonly KeyPath[],
  where: string,
): TensorDict {
  const sub = data.has(key) ? data.get(key) : undefined;
  if (!isTensorDict(sub)) {
    throw new MissingKeyError({
      what: `The data has no sub-dict ${formatKey(key)} with the model inputs (${inKeys.map((inKey) => formatKey([...key, ...inKey])).join(', ')})`,
      where,
      fix: `Add the inputs of that run under ${formatKey(key)}, e.g. data.set([${key.map((part) => JSON.stringify(part)).join(', ')}, ${JSON.stringify(inKeys[0]?.[0] ?? 'input')}], tokens).`,
    });
  }
  for (const inKey of inKeys) {
    const full: KeyPath = [...key, ...inKey] as unknown as KeyPath;
    if (!data.has(full) || !isTensor(data.get(full))) {
      throw new MissingKeyError({
        what: `The model reads ${formatKey(inKey)}, so the run under ${formatKey(key)} needs ${formatKey(full)}, which is not a tensor in the data`,
        where,
        fix: `Add it: data.set(${JSON.stringify(full)}, …).`,
      });
    }
  }
  return sub;
}

/**
 * The model inputs stored under `key` (`data[key][inKey]` for every model `inKey`, checked by
 * {@link checkInputsUnder}), as a new TensorDict that holds them under the model's own keys, with the batch
 * shape of `data[key]`: what one extra pass of a method runs on (the patched run, the positive and negative
 * runs). The tensors are new handles on the same data; the caller disposes the result.
 *
 * @example
 * using patched = inputsUnder(data, ['patched'], model.inKeys, 'intervention/activation-patching');
 */
export function inputsUnder(
  data: TensorDict,
  key: KeyPath,
  inKeys: readonly KeyPath[],
  where: string,
): TensorDict {
  const sub = checkInputsUnder(data, key, inKeys, where);
  const inputs = new TensorDict({}, { batchShape: sub.batchShape });
  for (const inKey of inKeys) {
    const value = data.getTensor([...key, ...inKey] as unknown as KeyPath);
    inputs.set(inKey, tf.reshape(value, value.shape)); // a new handle, same data (no copy on any backend)
  }
  return inputs;
}

/**
 * A `ShapeMismatchError` unless every model input of the two runs has the same shape, an `InvalidValueError`
 * unless the same dtype (before any model call: the runs' activations are combined element by element).
 */
export function checkSameInputs(
  first: TensorDict,
  second: TensorDict,
  inKeys: readonly KeyPath[],
  names: readonly [string, string],
  where: string,
): void {
  for (const inKey of inKeys) {
    const a = first.getTensor(inKey);
    const b = second.getTensor(inKey);
    if (a.rank !== b.rank || a.shape.some((size, axis) => size !== b.shape[axis])) {
      throw new ShapeMismatchError({
        what: `The ${names[0]} input ${formatKey(inKey)} has shape [${a.shape.join(',')}], the ${names[1]} one [${b.shape.join(',')}]`,
        where,
        fix: `Give both runs inputs of the same shape: their activations are ${where.includes('addition') ? 'subtracted' : 'swapped'} unit for unit.`,
      });
    }
    if (a.dtype !== b.dtype) {
      throw new InvalidValueError({
        what: `The ${names[0]} input ${formatKey(inKey)} is ${a.dtype}, the ${names[1]} one ${b.dtype}`,
        where,
        fix: 'Give both runs inputs of one dtype (token ids as int32).',
      });
    }
  }
}

/** An `InvalidValueError` if a method's key overlaps a model input or output key (one would overwrite the other). */
export function checkOwnKey(
  key: KeyPath,
  option: string,
  model: { readonly inKeys: readonly KeyPath[]; readonly outKeys: readonly KeyPath[] },
  where: string,
): void {
  for (const [kind, keys] of [
    ['input', model.inKeys],
    ['output', model.outKeys],
  ] as const) {
    const clash = keys.find((modelKey) => keyStartsWith(modelKey, key) || keyStartsWith(key, modelKey));
    if (clash !== undefined) {
      throw new InvalidValueError({
        what: `${option} ${formatKey(key)} overlaps the model ${kind} ${formatKey(clash)}`,
        where: `${where} ${option}`,
        fix: `Use a key of its own for ${option}.`,
      });
    }
  }
}
