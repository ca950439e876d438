// The safetensors dtypes tdhook reads and writes, and their conversions to and from the two TF.js dtypes
// (float32, int32). Floats of every width come in as float32; integers as int32.

/**
 * The safetensors dtypes tdhook reads and writes. Floats (`F32`, `F16`, `BF16`) are read as float32,
 * integers (`I32`, `I64`) as int32 (an I64 value outside the int32 range is refused).
 *
 * @example
 * const dtype: SafetensorsDtype = 'F16';
 */
export type SafetensorsDtype = 'F32' | 'F16' | 'BF16' | 'I32' | 'I64';

/**
 * Bytes per element of each safetensors dtype.
 *
 * @example
 * safetensorsDtypeBytes.F16; // 2
 */
export const safetensorsDtypeBytes: Readonly<Record<SafetensorsDtype, number>> = {
  F32: 4,
  F16: 2,
  BF16: 2,
  I32: 4,
  I64: 8,
};

/**
 * True for the dtypes that decode to float32 (`F32`, `F16`, `BF16`); the others decode to int32.
 *
 * @example
 * isSafetensorsFloatDtype('BF16'); // true
 */
export function isSafetensorsFloatDtype(dtype: SafetensorsDtype): boolean {
  return dtype === 'F32' || dtype === 'F16' || dtype === 'BF16';
}

/**
 * True for a dtype name tdhook reads and writes.
 *
 * @example
 * isSafetensorsDtype('F64'); // false
 */
export function isSafetensorsDtype(value: unknown): value is SafetensorsDtype {
  return typeof value === 'string' && Object.hasOwn(safetensorsDtypeBytes, value);
}

const scratch = new DataView(new ArrayBuffer(4));

/** Safetensors is little-endian; on a little-endian machine (all Node.js and browser targets) bytes copy as is. */
const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** An aligned copy. Not `bytes.slice()`: on a Node.js Buffer that is a view into the same (pooled) memory. */
function copyOf(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(bytes);
}

let halfTable: Float32Array | undefined;

function halfToFloat(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >>> 10) & 0x1f;
  const mantissa = bits & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 0x1f) return mantissa === 0 ? sign * Infinity : NaN;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

/** Every half value decoded once (256 KiB): loading a large F16 checkpoint is then one lookup per element. */
function halves(): Float32Array {
  if (halfTable === undefined) {
    halfTable = new Float32Array(0x10000);
    for (let bits = 0; bits < 0x10000; bits++) halfTable[bits] = halfToFloat(bits);
  }
  return halfTable;
}

/** float32 → IEEE half, rounding to nearest, ties to even (as numpy and torch do). */
function floatToHalf(value: number): number {
  scratch.setFloat32(0, value, true);
  const bits = scratch.getUint32(0, true);
  const sign = (bits >>> 16) & 0x8000;
  const exponent = (bits >>> 23) & 0xff;
  let mantissa = bits & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa === 0 ? 0 : 0x200);
  const halfExponent = exponent - 127 + 15;
  if (halfExponent >= 0x1f) return sign | 0x7c00;
  if (halfExponent <= 0) {
    if (halfExponent < -10) return sign;
    mantissa |= 0x800000;
    const shift = 14 - halfExponent;
    let half = mantissa >>> shift;
    const rest = mantissa & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    if (rest > halfway || (rest === halfway && (half & 1) === 1)) half++;
    return sign | half;
  }
  let half = (halfExponent << 10) | (mantissa >>> 13);
  const rest = mantissa & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && (half & 1) === 1)) half++; // a carry may reach infinity: correct
  return sign | half;
}

/** float32 → bfloat16 (the top 16 bits), rounding to nearest, ties to even. */
function floatToBfloat(value: number): number {
  scratch.setFloat32(0, value, true);
  const bits = scratch.getUint32(0, true);
  if ((bits & 0x7fffffff) > 0x7f800000) return (bits >>> 16) | 0x40; // NaN stays NaN
  return (bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16;
}

/** Decodes little-endian bytes of `dtype` (byteLength a multiple of its size) into float32 or int32 values. */
export function decodeValues(
  bytes: Uint8Array,
  dtype: SafetensorsDtype,
): Float32Array | Int32Array | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const count = bytes.byteLength / safetensorsDtypeBytes[dtype];
  switch (dtype) {
    case 'F32': {
      if (littleEndian) return new Float32Array(copyOf(bytes).buffer);
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat32(4 * i, true);
      return out;
    }
    case 'I32': {
      if (littleEndian) return new Int32Array(copyOf(bytes).buffer);
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt32(4 * i, true);
      return out;
    }
    case 'F16': {
      const table = halves();
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = table[view.getUint16(2 * i, true)] ?? NaN;
      return out;
    }
    case 'BF16': {
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) {
        scratch.setUint32(0, view.getUint16(2 * i, true) << 16, true);
        out[i] = scratch.getFloat32(0, true);
      }
      return out;
    }
    case 'I64': {
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) {
        const value = view.getBigInt64(8 * i, true);
        if (value > 2147483647n || value < -2147483648n) return undefined;
        out[i] = Number(value);
      }
      return out;
    }
  }
}

/** Encodes float32 or int32 values as little-endian bytes of `dtype` into `target` (sized to fit). */
export function encodeValues(
  values: Float32Array | Int32Array,
  dtype: SafetensorsDtype,
  target: Uint8Array,
): void {
  const view = new DataView(target.buffer, target.byteOffset, target.byteLength);
  const count = values.length;
  const sameLayout =
    (dtype === 'F32' && values instanceof Float32Array) || (dtype === 'I32' && values instanceof Int32Array);
  if (littleEndian && sameLayout) {
    target.set(new Uint8Array(values.buffer, values.byteOffset, values.byteLength)); // bit for bit, NaN payloads too
    return;
  }
  switch (dtype) {
    case 'F32':
      for (let i = 0; i < count; i++) view.setFloat32(4 * i, values[i] ?? 0, true);
      return;
    case 'I32':
      for (let i = 0; i < count; i++) view.setInt32(4 * i, values[i] ?? 0, true);
      return;
    case 'F16':
      for (let i = 0; i < count; i++) view.setUint16(2 * i, floatToHalf(values[i] ?? 0), true);
      return;
    case 'BF16':
      for (let i = 0; i < count; i++) view.setUint16(2 * i, floatToBfloat(values[i] ?? 0), true);
      return;
    case 'I64':
      for (let i = 0; i < count; i++) view.setBigInt64(8 * i, BigInt(values[i] ?? 0), true);
      return;
  }
}
