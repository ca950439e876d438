import * as tf from '@tensorflow/tfjs-core';

import {
  formatKey,
  InvalidValueError,
  MissingKeyError,
  ShapeMismatchError,
  toKeyPath,
  type Key,
  type KeyPath,
  type TensorDict,
} from '@tdhook/core';
import { isKey, isPlainObject, isTensor } from '@tdhook/core/plugin';

/**
 * The baseline of one input: a constant (`0`: a black image), a tensor broadcastable to one sample or to the
 * whole batch (the caller keeps owning it), or `{ key }`: read from the TensorDict.
 *
 * @example
 * const black: BaselineSpec = 0;
 * const blurred: BaselineSpec = { key: 'blurred' };
 * const mean: BaselineSpec = tf.mean(images, 0); // one sample's shape, shared by the batch
 */
export type BaselineSpec = number | tf.Tensor | { readonly key: Key };

/**
 * Baselines for every interpolated input (one {@link BaselineSpec}) or per input key (a record; nested
 * input keys are written with their segments joined by dots, `'obs.image'`). An input without one is read
 * from the TensorDict at `['baseline', ...inputKey]`.
 *
 * @example
 * const baselines: BaselineOptions = { image: 0, mask: { key: 'empty_mask' } };
 */
export type BaselineOptions = BaselineSpec | Readonly<Record<string, BaselineSpec>>;

function isBaselineSpec(value: unknown): value is BaselineSpec {
  if (typeof value === 'number' || isTensor(value)) return true;
  return isPlainObject(value) && Object.keys(value).length === 1 && isKey((value as { key?: unknown }).key);
}

function checkSpec(spec: unknown, where: string): void {
  if (typeof spec === 'number' && !Number.isFinite(spec)) {
    throw new InvalidValueError({ what: `A baseline must be finite, got ${spec}`, where });
  }
  if (isTensor(spec)) {
    if (spec.isDisposed) throw new InvalidValueError({ what: 'A baseline tensor is disposed', where });
    if (spec.dtype !== 'float32') {
      throw new InvalidValueError({
        what: `A baseline tensor is ${spec.dtype}`,
        where,
        fix: 'Give a float32 tensor, like the input it stands for.',
      });
    }
  }
}

/**
 * Checks the `baselines` option at configuration time.
 *
 * @example
 * checkBaselines({ image: 0 }, 'attribution/integrated-gradients');
 */
export function checkBaselines(baselines: unknown, where: string): void {
  if (baselines === undefined) return;
  const fix = "Give a number, a float32 tensor, { key: 'name' }, or a record of those per input key.";
  if (isBaselineSpec(baselines)) {
    checkSpec(baselines, `${where} baselines`);
    return;
  }
  if (!isPlainObject(baselines)) {
    throw new InvalidValueError({ what: 'baselines is not a baseline', where, fix });
  }
  for (const [name, spec] of Object.entries(baselines)) {
    if (!isBaselineSpec(spec)) {
      throw new InvalidValueError({ what: `baselines.${name} is not a baseline`, where, fix });
    }
    checkSpec(spec, `${where} baselines.${name}`);
  }
}

/**
 * The baseline given for one input: the single spec, its record entry, or `undefined` (read from the
 * TensorDict at `['baseline', ...inputKey]`).
 *
 * @example
 * baselineFor({ image: 0 }, ['image']); // 0
 */
export function baselineFor(
  baselines: BaselineOptions | undefined,
  input: KeyPath,
): BaselineSpec | undefined {
  if (baselines === undefined || isBaselineSpec(baselines)) return baselines;
  return baselines[input.join('.')];
}

/**
 * The TensorDict key a baseline is read from, or `undefined` for a constant or a tensor.
 *
 * @example
 * baselineKey(undefined, ['image']); // ['baseline', 'image']
 */
export function baselineKey(spec: BaselineSpec | undefined, input: KeyPath): KeyPath | undefined {
  if (spec === undefined) return ['baseline', ...input] as unknown as KeyPath;
  if (typeof spec === 'number' || isTensor(spec)) return undefined;
  return toKeyPath(spec.key);
}

/** True if `shape` broadcasts to `target` (aligned on the right, each dim equal or 1). */
function broadcasts(shape: readonly number[], target: readonly number[]): boolean {
  if (shape.length > target.length) return false;
  const offset = target.length - shape.length;
  return shape.every((size, index) => size === 1 || size === target[offset + index]);
}

/**
 * The baseline of input `input` for a batch: a new `[rows, ...featureShape]` tensor, like `x` (the input
 * with the batch dims flattened). Throws {@link MissingKeyError} or {@link ShapeMismatchError} with a fix.
 *
 * @example
 * const b = readBaseline(spec, ['image'], data, x, 'attribution/integrated-gradients');
 */
export function readBaseline(
  spec: BaselineSpec | undefined,
  input: KeyPath,
  data: TensorDict,
  x: tf.Tensor,
  where: string,
): tf.Tensor {
  const featureShape = x.shape.slice(1);
  const full = [...data.batchShape, ...featureShape];
  if (typeof spec === 'number') return tf.fill(x.shape, spec, 'float32');
  let value: tf.Tensor;
  let origin: string;
  if (isTensor(spec)) {
    value = spec;
    origin = 'The baseline tensor';
  } else {
    const key = baselineKey(spec, input) as KeyPath;
    if (!data.has(key)) {
      throw new MissingKeyError({
        what: `No baseline for input ${formatKey(input)}: ${formatKey(key)} is not in the TensorDict`,
        where,
        fix:
          spec === undefined
            ? `Add the baseline under ${formatKey(key)}, or pass one: baselines: 0 (or a tensor, or { key }).`
            : `Add the baseline under ${formatKey(key)}.`,
      });
    }
    value = data.getTensor(key);
    origin = `The baseline ${formatKey(key)}`;
  }
  if (!broadcasts(value.shape, full)) {
    throw new ShapeMismatchError({
      what: `${origin} has shape ${JSON.stringify(value.shape)}, which does not broadcast to input ${formatKey(input)} ${JSON.stringify(full)}`,
      where,
      fix: `Give one sample's shape ${JSON.stringify(featureShape)} or the batch's ${JSON.stringify(full)}.`,
    });
  }
  if (value.dtype !== 'float32') {
    throw new InvalidValueError({
      what: `${origin} is ${value.dtype}`,
      where,
      fix: 'Give a float32 baseline, like the input it stands for.',
    });
  }
  return tf.tidy(() => tf.reshape(tf.broadcastTo(value, full), x.shape));
}
