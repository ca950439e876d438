// Option checks shared by the faithfulness metrics: they run when the metric is built, so that a wrong
// option fails before any model call.
import * as tf from '@tensorflow/tfjs-core';

import {
  formatKey,
  InvalidValueError,
  MissingKeyError,
  toKeyPath,
  type Key,
  type KeyPath,
  type TensorDict,
} from '@tdhook/core';
import { booleanOption } from '../option-checks.js';

/** A value as written in an error message. */
function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  const plain =
    typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined;
  return plain ? String(value) : typeof value;
}

/** A whole number ≥ 1 (booleans and fractions rejected). */
export function checkCount(value: unknown, name: string, where: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw new InvalidValueError({
      what: `${name} must be a whole number ≥ 1, got ${show(value)}`,
      where,
      fix: `E.g. ${name}: 10.`,
    });
  }
  return value;
}

/** A finite number ≥ 0. */
export function checkNonNegative(value: unknown, name: string, where: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new InvalidValueError({
      what: `${name} must be a finite number ≥ 0, got ${show(value)}`,
      where,
    });
  }
  return value;
}

/**
 * A seed: a whole number ≥ 0. TF.js treats a seed of 0 as "no seed", so draws use `seed + k + 1` (k: the
 * input's position in `inputs`); see {@link tfSeed}.
 */
export function checkSeed(value: unknown, where: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new InvalidValueError({
      what: `seed must be a whole number ≥ 0, got ${show(value)}`,
      where,
    });
  }
  return value;
}

/** The TF.js seed of the draw for input `order`: never 0, which TF.js would replace by a random seed. */
export function tfSeed(seed: number, order: number): number {
  return seed + order + 1;
}

/** A finite number (a baseline value). */
export function checkFinite(value: unknown, name: string, where: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new InvalidValueError({
      what: `${name} must be a finite number, got ${show(value)}`,
      where,
    });
  }
  return value;
}

/** `undefined` or a boolean; absent is `false`. */
export function checkFlag(value: unknown, name: string, where: string): boolean {
  return booleanOption(value, name, where, false);
}

/** One of `choices` (the first is the default). */
export function checkChoice<T extends string>(
  value: unknown,
  choices: readonly [T, ...T[]],
  name: string,
  where: string,
): T {
  if (value === undefined) return choices[0];
  if (!(choices as readonly unknown[]).includes(value)) {
    throw new InvalidValueError({
      what: `${name} must be ${choices.map((choice) => `'${choice}'`).join(' or ')}, got ${show(value)}`,
      where,
    });
  }
  return value as T;
}

/** The key paths of `inputs` (default: every model input), each a model input. */
export function selectInputs(
  inputs: readonly Key[] | undefined,
  modelInKeys: readonly KeyPath[],
  where: string,
): KeyPath[] {
  if (inputs === undefined) return [...modelInKeys];
  if (!Array.isArray(inputs) || inputs.length === 0) {
    throw new InvalidValueError({
      what: 'inputs must be a non-empty array of model input keys',
      where,
      fix: 'Leave it out for every model input.',
    });
  }
  return (inputs as readonly Key[]).map((key, index) => {
    const path = toKeyPath(key, `${where} inputs[${index}]`);
    if (!modelInKeys.some((candidate) => formatKey(candidate) === formatKey(path))) {
      throw new MissingKeyError({
        what: `${formatKey(path)} is not an input of the model`,
        where,
        fix: `Model inputs: ${modelInKeys.map((candidate) => formatKey(candidate)).join(', ')}.`,
      });
    }
    return path;
  });
}

/** The tensor at `key`, or a MissingKeyError saying what it is for. */
export function readTensor(
  data: TensorDict,
  key: KeyPath,
  what: string,
  fix: string,
  where: string,
): tf.Tensor {
  if (!data.has(key)) {
    throw new MissingKeyError({ what: `${what} ${formatKey(key)} is not in the TensorDict`, where, fix });
  }
  return data.getTensor(key);
}

/** Checks that a perturbed input is a float tensor (noise cannot be added to integer inputs). */
export function checkFloatInput(value: tf.Tensor, key: KeyPath, where: string): void {
  if (value.dtype !== 'float32') {
    throw new InvalidValueError({
      what: `Input ${formatKey(key)} is ${value.dtype}; only floating point inputs can be perturbed`,
      where,
      fix: 'List the float32 inputs in inputs: [...], or cast the input to float32.',
    });
  }
}

/** `[n, ...shape]` with `n` the product of the batch dims. */
export function rowsOf(batchShape: readonly number[]): number {
  return batchShape.reduce((total, size) => total * size, 1);
}

/** Replaces zeros by ones, so that dividing by it returns the numerator there (captum's `safe_div`). */
export function safeDenominator(value: tf.Tensor): tf.Tensor {
  return tf.where(tf.equal(value, 0), tf.onesLike(value), value);
}
