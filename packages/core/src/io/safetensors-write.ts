import * as tf from '@tensorflow/tfjs-core';

import { SafetensorsError } from './safetensors-error.js';
import {
  safetensorsDtypeBytes,
  encodeValues,
  isSafetensorsFloatDtype,
  isSafetensorsDtype,
  type SafetensorsDtype,
} from './safetensors-dtype.js';

/**
 * A tensor to write: a TF.js tensor (float32 → F32, int32 → I32), or plain values with their shape and,
 * optionally, the dtype to store them as (default F32 for a Float32Array, I32 for an Int32Array). A
 * {@link SafetensorsTensor} from {@link readSafetensors} is one, so a read file writes back in its own dtypes.
 *
 * @example
 * const half: SafetensorsTensorInput = { dtype: 'F16', shape: [2, 2], data: new Float32Array([1, 2, 3, 4]) };
 * const fromTf: SafetensorsTensorInput = tf.zeros([2, 2]);
 */
export type SafetensorsTensorInput =
  | tf.Tensor
  | {
      readonly shape: readonly number[];
      readonly data: Float32Array | Int32Array;
      readonly dtype?: SafetensorsDtype;
    };

/**
 * Options of {@link writeSafetensors}.
 *
 * @example
 * writeSafetensors(tensors, { metadata: { format: 'pt', note: 'trained here' } });
 */
export interface WriteSafetensorsOptions {
  /** The `__metadata__` string map; default `{ format: 'pt' }` (what PyTorch loaders expect); `null` writes none. */
  readonly metadata?: Readonly<Record<string, string>> | null;
}

interface Prepared {
  readonly name: string;
  readonly dtype: SafetensorsDtype;
  readonly shape: readonly number[];
  readonly data: Float32Array | Int32Array;
}

function tensorError(name: string, what: string, fix: string): SafetensorsError {
  return new SafetensorsError('E_SAFETENSORS_TENSOR', { what, tensor: name, fix });
}

function prepare(name: string, input: SafetensorsTensorInput): Prepared {
  if (name === '' || name === '__metadata__') {
    throw tensorError(
      name,
      `"${name}" cannot name a tensor`,
      'Rename the tensor; __metadata__ and "" are reserved.',
    );
  }
  if (input instanceof tf.Tensor) {
    if (input.isDisposed) throw tensorError(name, 'The tensor is disposed', 'Pass a live tensor.');
    if (input.dtype !== 'float32' && input.dtype !== 'int32') {
      throw tensorError(
        name,
        `A ${input.dtype} tensor cannot be written`,
        'Cast it to float32 or int32 first.',
      );
    }
    const data = input.dataSync() as Float32Array | Int32Array;
    return { name, dtype: input.dtype === 'float32' ? 'F32' : 'I32', shape: input.shape, data };
  }
  const { shape, data } = input;
  const isFloat = data instanceof Float32Array;
  if (!isFloat && !(data instanceof Int32Array)) {
    throw tensorError(name, 'The data is neither a Float32Array nor an Int32Array', 'Pass typed values.');
  }
  const dtype = input.dtype ?? (isFloat ? 'F32' : 'I32');
  if (!isSafetensorsDtype(dtype)) {
    throw tensorError(
      name,
      `The dtype ${JSON.stringify(dtype)} is not one tdhook writes`,
      'Use F32, F16, BF16, I32 or I64.',
    );
  }
  if (isSafetensorsFloatDtype(dtype) !== isFloat) {
    throw tensorError(
      name,
      `${isFloat ? 'Float32Array' : 'Int32Array'} values cannot be stored as ${dtype}`,
      'Floats go to F32, F16 or BF16; integers to I32 or I64.',
    );
  }
  const count = shape.reduce((product, size) => product * size, 1);
  if (!shape.every((size) => Number.isSafeInteger(size) && size >= 0) || count !== data.length) {
    throw tensorError(
      name,
      `Shape [${shape.join(', ')}] does not fit ${data.length} values`,
      'Give non-negative integer sizes whose product is the number of values.',
    );
  }
  return { name, dtype, shape, data };
}

function checkMetadata(metadata: Readonly<Record<string, string>>): void {
  for (const [key, value] of Object.entries(metadata)) {
    if (typeof value !== 'string') {
      throw new SafetensorsError('E_SAFETENSORS_TENSOR', {
        what: `__metadata__.${key} is not a string`,
        fix: 'safetensors metadata maps strings to strings; stringify the value.',
      });
    }
  }
}

/**
 * Serialises tensors as one safetensors file, laid out as the reference implementation (Python's
 * `safetensors`) lays it out: `__metadata__` first, then the tensors ordered by element size (largest first,
 * which keeps every tensor aligned) and then by name, a compact JSON header padded with spaces to a multiple of
 * 8 bytes, and the little-endian data back to back. A file that `readSafetensors` parsed writes back byte for
 * byte. Inputs are validated before any byte is produced (typed {@link SafetensorsError} `E_SAFETENSORS_TENSOR`).
 *
 * @example
 * import { writeFile } from 'node:fs/promises';
 * const bytes = writeSafetensors({ 'wte.weight': tf.randomNormal([96, 64]) });
 * await writeFile('model.safetensors', bytes);
 */
export function writeSafetensors(
  tensors: Readonly<Record<string, SafetensorsTensorInput>>,
  options: WriteSafetensorsOptions = {},
): Uint8Array {
  const metadata = options.metadata === undefined ? { format: 'pt' } : options.metadata;
  if (metadata !== null) checkMetadata(metadata);
  const prepared = Object.entries(tensors)
    .map(([name, input]) => prepare(name, input))
    .sort(
      (a, b) =>
        safetensorsDtypeBytes[b.dtype] - safetensorsDtypeBytes[a.dtype] ||
        (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
    );
  // Written entry by entry: an object would put integer-like names first and treat `__proto__` specially.
  const entries: string[] = metadata === null ? [] : [`"__metadata__":${JSON.stringify(metadata)}`];
  let offset = 0;
  for (const { name, dtype, shape, data } of prepared) {
    const end = offset + data.length * safetensorsDtypeBytes[dtype];
    entries.push(`${JSON.stringify(name)}:${JSON.stringify({ dtype, shape, data_offsets: [offset, end] })}`);
    offset = end;
  }
  const json = new TextEncoder().encode(`{${entries.join(',')}}`);
  const headerLength = Math.ceil(json.byteLength / 8) * 8;
  const out = new Uint8Array(8 + headerLength + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerLength), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.byteLength, 8 + headerLength);
  let position = 8 + headerLength;
  for (const { dtype, data } of prepared) {
    const length = data.length * safetensorsDtypeBytes[dtype];
    encodeValues(data, dtype, out.subarray(position, position + length));
    position += length;
  }
  return out;
}
