import * as tf from '@tensorflow/tfjs-core';

/** Nested arrays of numbers, as stored in the reference JSON files. */
export type NestedNumbers = number | readonly NestedNumbers[];

/** A tensor written as data: the reference files store every tensor as `{ shape, data }`. */
export interface TensorSpec {
  readonly shape: readonly number[];
  readonly data: NestedNumbers;
}

/** Anything the closeness checks accept as actual or expected values. */
export type TensorValues = tf.Tensor | TensorSpec | NestedNumbers | Float32Array | Int32Array | Uint8Array;

/** Flat values and a shape, read out of any {@link TensorValues}. */
export interface FlatValues {
  readonly shape: readonly number[];
  readonly values: ArrayLike<number>;
}

function isTensorSpec(value: unknown): value is TensorSpec {
  return typeof value === 'object' && value !== null && 'shape' in value && 'data' in value;
}

function shapeOfNested(data: NestedNumbers): number[] {
  const shape: number[] = [];
  let level: NestedNumbers = data;
  while (Array.isArray(level)) {
    const items = level as readonly NestedNumbers[];
    shape.push(items.length);
    if (items.length === 0) break;
    level = items[0] as NestedNumbers;
  }
  return shape;
}

/**
 * Flattens nested number arrays in row-major order into a Float32Array.
 *
 * @example
 * flattenNested([[1, 2], [3, 4]]); // Float32Array [1, 2, 3, 4]
 */
export function flattenNested(data: NestedNumbers): Float32Array {
  const out: number[] = [];
  const walk = (node: NestedNumbers): void => {
    if (typeof node === 'number') out.push(node);
    else for (const child of node) walk(child);
  };
  walk(data);
  return new Float32Array(out);
}

/**
 * Reads values and shape from a tensor, a `{ shape, data }` spec, nested arrays or a typed array (shape `[n]`).
 * Reading a tensor uses `dataSync`, which is what tests want.
 */
export function readValues(value: TensorValues): FlatValues {
  if (value instanceof tf.Tensor) return { shape: value.shape, values: value.dataSync() };
  if (isTensorSpec(value)) return { shape: value.shape, values: flattenNested(value.data) };
  if (ArrayBuffer.isView(value)) return { shape: [value.length], values: value };
  return { shape: shapeOfNested(value), values: flattenNested(value) };
}

/**
 * Makes a float32 tensor from a `{ shape, data }` spec. The caller owns (and disposes) it.
 *
 * @example
 * const x = tensorFromSpec(model.inputs.x); // [4, 16]
 */
export function tensorFromSpec(spec: TensorSpec): tf.Tensor {
  return tf.tensor(flattenNested(spec.data), [...spec.shape], 'float32');
}

/**
 * Makes a tensor for every entry of a record of specs, such as a reference model's `paramsTfjs`. The caller
 * owns the tensors: `tf.dispose(Object.values(result))`.
 *
 * @example
 * const params = tensorsFromSpecs(loadReferenceModel('cnn').paramsTfjs); // { 'conv1.kernel': [3,3,1,8], ... }
 */
export function tensorsFromSpecs(specs: Readonly<Record<string, TensorSpec>>): Record<string, tf.Tensor> {
  const tensors: Record<string, tf.Tensor> = {};
  for (const [name, spec] of Object.entries(specs)) tensors[name] = tensorFromSpec(spec);
  return tensors;
}
