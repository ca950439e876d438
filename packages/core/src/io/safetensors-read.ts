import { SafetensorsError } from './safetensors-error.js';
import {
  decodeValues,
  safetensorsDtypeBytes,
  isSafetensorsDtype,
  type SafetensorsDtype,
} from './safetensors-dtype.js';

/**
 * One tensor of a safetensors file: its stored dtype, its shape and its values, decoded to float32 (floats)
 * or int32 (integers). The values are a copy: they do not alias the file's bytes.
 *
 * @example
 * const tensor: SafetensorsTensor = { dtype: 'F32', shape: [2], data: new Float32Array([1, 2]) };
 * tf.tensor(tensor.data, tensor.shape);
 */
export interface SafetensorsTensor {
  readonly dtype: SafetensorsDtype;
  readonly shape: readonly number[];
  readonly data: Float32Array | Int32Array;
}

/**
 * A parsed safetensors file: the string map of its `__metadata__` entry (empty if absent) and its tensors by
 * name.
 *
 * @example
 * const { metadata, tensors } = readSafetensors(bytes);
 * metadata.format; // 'pt'
 * Object.keys(tensors); // ['transformer.h.0.attn.c_attn.bias', ...]
 */
export interface SafetensorsContents {
  readonly metadata: Readonly<Record<string, string>>;
  readonly tensors: Readonly<Record<string, SafetensorsTensor>>;
}

/**
 * Options of {@link readSafetensors}.
 *
 * @example
 * readSafetensors(bytes, { file: 'model.safetensors' });
 */
export interface ReadSafetensorsOptions {
  /** The file name errors mention; default `'safetensors bytes'`. */
  readonly file?: string;
}

/** The reference implementation's bound: a header beyond it is a corrupt length, not a real header. */
const maxHeaderBytes = 100_000_000;

interface HeaderEntry {
  readonly name: string;
  readonly dtype: SafetensorsDtype;
  readonly shape: number[];
  readonly begin: number;
  readonly end: number;
}

function formatError(file: string, what: string, tensor?: string, fix?: string): SafetensorsError {
  return new SafetensorsError('E_SAFETENSORS_FORMAT', {
    what,
    file,
    ...(tensor === undefined ? {} : { tensor }),
    fix: fix ?? 'The file is not a valid safetensors file (truncated or corrupt?); write it again.',
  });
}

function isNonNegativeInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function parseHeader(bytes: Uint8Array, file: string): { json: Record<string, unknown>; dataStart: number } {
  if (bytes.byteLength < 8) {
    throw formatError(file, `The file has ${bytes.byteLength} bytes, fewer than the 8 of the header length`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const length = view.getBigUint64(0, true);
  if (length > BigInt(Math.min(maxHeaderBytes, bytes.byteLength - 8))) {
    throw formatError(
      file,
      `The header length ${length} runs past the end of the file (${bytes.byteLength} bytes) or past the 100 MB a header may have`,
    );
  }
  const headerBytes = bytes.subarray(8, 8 + Number(length));
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(headerBytes);
  } catch {
    throw formatError(file, 'The header is not UTF-8 text');
  }
  if (!text.startsWith('{')) throw formatError(file, 'The header does not start with "{"');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new SafetensorsError('E_SAFETENSORS_FORMAT', {
      what: `The header is not valid JSON (${(cause as Error).message})`,
      file,
      fix: 'The file is not a valid safetensors file (truncated or corrupt?); write it again.',
      cause,
    });
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw formatError(file, 'The header is not a JSON object');
  }
  return { json: json as Record<string, unknown>, dataStart: 8 + Number(length) };
}

function parseMetadata(value: unknown, file: string): Record<string, string> {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw formatError(file, '__metadata__ is not an object of strings');
  }
  for (const [key, entry] of Object.entries(value)) {
    if (typeof entry !== 'string') throw formatError(file, `__metadata__.${key} is not a string`);
  }
  return { ...(value as Record<string, string>) };
}

function elementCount(shape: number[], name: string, file: string): number {
  let count = 1;
  for (const size of shape) {
    count *= size;
    if (!Number.isSafeInteger(count))
      throw formatError(file, `The shape [${shape.join(', ')}] is too large`, name);
  }
  return count;
}

function parseEntry(name: string, value: unknown, file: string): HeaderEntry {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw formatError(file, 'The header entry is not an object', name);
  }
  const { dtype, shape, data_offsets: offsets } = value as Record<string, unknown>;
  if (!isSafetensorsDtype(dtype)) {
    throw new SafetensorsError('E_SAFETENSORS_FORMAT', {
      what: `The dtype ${JSON.stringify(dtype)} is not one tdhook reads`,
      file,
      tensor: name,
      fix: 'tdhook reads F32, F16 and BF16 (as float32) and I32 and I64 (as int32); convert the checkpoint to one of them.',
    });
  }
  if (!Array.isArray(shape) || !shape.every(isNonNegativeInteger)) {
    throw formatError(
      file,
      `The shape ${JSON.stringify(shape)} is not a list of non-negative integers`,
      name,
    );
  }
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isNonNegativeInteger)) {
    throw formatError(
      file,
      `data_offsets ${JSON.stringify(offsets)} is not a pair of non-negative integers`,
      name,
    );
  }
  const [begin, end] = offsets as [number, number];
  if (end < begin) throw formatError(file, `data_offsets [${begin}, ${end}] ends before it begins`, name);
  const bytes = elementCount(shape, name, file) * safetensorsDtypeBytes[dtype];
  if (end - begin !== bytes) {
    throw formatError(
      file,
      `data_offsets [${begin}, ${end}] hold ${end - begin} bytes, but shape [${shape.join(', ')}] of ${dtype} needs ${bytes}`,
      name,
    );
  }
  return { name, dtype, shape, begin, end };
}

/** The data must be the tensors back to back: sorted by offset, from 0, no gaps, no overlaps, to the end. */
function checkLayout(entries: HeaderEntry[], dataBytes: number, file: string): void {
  const byOffset = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let position = 0;
  for (const entry of byOffset) {
    if (entry.begin < position) {
      throw formatError(
        file,
        `data_offsets [${entry.begin}, ${entry.end}] overlap the previous tensor`,
        entry.name,
      );
    }
    if (entry.begin > position) {
      throw formatError(
        file,
        `data_offsets [${entry.begin}, ${entry.end}] leave a gap after byte ${position} of the data`,
        entry.name,
      );
    }
    position = entry.end;
  }
  if (position !== dataBytes) {
    throw formatError(
      file,
      `The tensors cover ${position} bytes of data, but the file holds ${dataBytes} after the header`,
      undefined,
      position > dataBytes ? 'The file is truncated; copy or download it again.' : undefined,
    );
  }
}

/**
 * Parses a safetensors file (`u64` little-endian header length, a JSON header padded with spaces, then the
 * tensors' bytes back to back) and decodes every tensor. Every header field is validated: the length against
 * the file, UTF-8 and JSON, `__metadata__` (a map of strings), the dtype (F32, F16, BF16, I32, I64), the shape,
 * and the offsets (shape × dtype size = byte length; sorted, contiguous, no overlaps, covering the data
 * exactly). A file that fails any check throws a {@link SafetensorsError} `E_SAFETENSORS_FORMAT` naming the
 * file and tensor; nothing is returned half-read.
 *
 * @example
 * import { readFile } from 'node:fs/promises';
 * const { tensors } = readSafetensors(await readFile('model.safetensors'), { file: 'model.safetensors' });
 * const wte = tensors['transformer.wte.weight']; // { dtype: 'F32', shape: [96, 64], data: Float32Array }
 */
export function readSafetensors(
  bytes: Uint8Array | ArrayBuffer,
  options: ReadSafetensorsOptions = {},
): SafetensorsContents {
  const file = options.file ?? 'safetensors bytes';
  const buffer = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  const { json, dataStart } = parseHeader(buffer, file);
  const metadata = parseMetadata(json['__metadata__'], file);
  const entries = Object.entries(json)
    .filter(([name]) => name !== '__metadata__')
    .map(([name, value]) => parseEntry(name, value, file));
  checkLayout(entries, buffer.byteLength - dataStart, file);
  const tensors: [string, SafetensorsTensor][] = [];
  for (const { name, dtype, shape, begin, end } of entries) {
    const data = decodeValues(buffer.subarray(dataStart + begin, dataStart + end), dtype);
    if (data === undefined) {
      throw new SafetensorsError('E_SAFETENSORS_FORMAT', {
        what: 'An I64 value lies outside the int32 range TF.js holds',
        file,
        tensor: name,
        fix: 'Store this tensor as I32 (its values must fit 32 bits) or as a float dtype.',
      });
    }
    tensors.push([name, { dtype, shape, data }]);
  }
  return { metadata, tensors: Object.fromEntries(tensors) };
}
