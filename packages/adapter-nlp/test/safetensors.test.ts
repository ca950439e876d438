import { createHash } from 'node:crypto';

import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import type {} from '@tdhook/testing/vitest';

import { readSafetensors, writeSafetensors, type SafetensorsTensorInput } from '../src/index.js';
import { fixtureBytes, reference } from './model-fixture.js';

/** A safetensors file from a header object and data bytes, with no checks: for building bad files. */
function rawFile(header: unknown, data: Uint8Array = new Uint8Array(0), headerText?: string): Uint8Array {
  const json = new TextEncoder().encode(headerText ?? JSON.stringify(header));
  const out = new Uint8Array(8 + json.byteLength + data.byteLength);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.byteLength), true);
  out.set(json, 8);
  out.set(data, 8 + json.byteLength);
  return out;
}

function u16(bytes: Uint8Array, index: number): number {
  return new DataView(bytes.buffer, bytes.byteOffset).getUint16(index * 2, true);
}

/** The data bytes of the only tensor of a file `writeSafetensors` wrote without metadata. */
function dataOf(file: Uint8Array): Uint8Array {
  const length = Number(new DataView(file.buffer, file.byteOffset).getBigUint64(0, true));
  return file.subarray(8 + length);
}

describe('readSafetensors on the gpt2-tiny fixture', () => {
  const { metadata, tensors } = readSafetensors(fixtureBytes(), { file: 'model.safetensors' });
  const index = reference().weights_index;

  it('holds the 28 tensors of reference.json weights_index and {format: pt}', () => {
    expect(metadata).toEqual({ format: 'pt' });
    expect(Object.keys(tensors).sort()).toEqual(Object.keys(index).sort());
    expect(Object.keys(tensors)).toHaveLength(28);
  });

  it('decodes every tensor to the sha256, first values and sum Python recorded', () => {
    for (const [name, entry] of Object.entries(index)) {
      const tensor = tensors[name];
      expect(tensor?.dtype, name).toBe('F32');
      expect(tensor?.shape, name).toEqual(entry.shape);
      const data = tensor?.data as Float32Array;
      const sha = createHash('sha256').update(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
      expect(sha.digest('hex'), name).toBe(entry.sha256_le_f32);
      expect(Array.from(data.subarray(0, 4)), name).toEqual(entry.first4.map(Math.fround));
      const sum = data.reduce((total, value) => total + value, 0);
      expect(Math.abs(sum - entry.sum_f64), name).toBeLessThan(1e-9 * Math.max(1, data.length));
    }
  });

  it('reads an ArrayBuffer, and bytes at an odd offset of a larger buffer, alike', () => {
    const bytes = fixtureBytes();
    const fromBuffer = readSafetensors(new Uint8Array(bytes).buffer);
    const larger = new Uint8Array(bytes.byteLength + 3);
    larger.set(bytes, 1);
    const fromOffset = readSafetensors(larger.subarray(1, 1 + bytes.byteLength));
    for (const name of Object.keys(tensors)) {
      expect(fromBuffer.tensors[name]?.data, name).toEqual(tensors[name]?.data);
      expect(fromOffset.tensors[name]?.data, name).toEqual(tensors[name]?.data);
    }
  });

  it('writes the parsed tensors back byte for byte', () => {
    const written = writeSafetensors(tensors);
    expect(written.byteLength).toBe(435_784);
    expect(Buffer.from(written).equals(Buffer.from(fixtureBytes()))).toBe(true);
  });
});

describe('writeSafetensors', () => {
  it('pads the compact header with spaces to a multiple of 8 and orders by element size, then name', () => {
    const bytes = writeSafetensors({
      b: { dtype: 'F16', shape: [1], data: new Float32Array([1]) },
      a: { dtype: 'F16', shape: [1], data: new Float32Array([2]) },
      c: { shape: [1], data: new Float32Array([3]) },
    });
    const length = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect(length % 8).toBe(0);
    const text = new TextDecoder().decode(bytes.subarray(8, 8 + length));
    expect(text.trimEnd()).toBe(
      '{"__metadata__":{"format":"pt"},"c":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},' +
        '"a":{"dtype":"F16","shape":[1],"data_offsets":[4,6]},"b":{"dtype":"F16","shape":[1],"data_offsets":[6,8]}}',
    );
    expect(text.slice(text.trimEnd().length)).toMatch(/^ *$/);
    expect(readSafetensors(bytes).tensors['b']?.data).toEqual(new Float32Array([1]));
  });

  it('writes no __metadata__ when metadata is null, and other metadata as given', () => {
    const none = writeSafetensors({ x: { shape: [], data: new Float32Array([5]) } }, { metadata: null });
    expect(new TextDecoder().decode(none.subarray(8, 16 + 40))).not.toContain('__metadata__');
    expect(readSafetensors(none).metadata).toEqual({});
    const own = writeSafetensors({}, { metadata: { format: 'pt', note: 'hi' } });
    expect(readSafetensors(own).metadata).toEqual({ format: 'pt', note: 'hi' });
  });

  it('writes TF.js tensors (float32 → F32, int32 → I32) without leaking', () => {
    const weights = tf.tensor2d([
      [1.5, -2],
      [0, 3],
    ]);
    const ids = tf.tensor1d([7, -8], 'int32');
    const { tensors } = readSafetensors(writeSafetensors({ weights, ids }));
    expect(tensors['weights']).toEqual({
      dtype: 'F32',
      shape: [2, 2],
      data: new Float32Array([1.5, -2, 0, 3]),
    });
    expect(tensors['ids']).toEqual({ dtype: 'I32', shape: [2], data: new Int32Array([7, -8]) });
    tf.dispose([weights, ids]);
  });

  it('rounds float32 to F16 to nearest, ties to even, with subnormals, overflow and NaN', () => {
    const values = new Float32Array([
      1,
      -2,
      65504,
      65520,
      1e-8,
      2 ** -24,
      2 ** -25,
      3 * 2 ** -25,
      1 + 2 ** -11,
      1 + 3 * 2 ** -11,
      Infinity,
      NaN,
    ]);
    const bytes = dataOf(
      writeSafetensors({ x: { dtype: 'F16', shape: [12], data: values } }, { metadata: null }),
    );
    const bits = Array.from({ length: 12 }, (_, i) => u16(bytes, i));
    expect(bits.slice(0, 11)).toEqual([
      0x3c00, 0xc000, 0x7bff, 0x7c00, 0x0000, 0x0001, 0x0000, 0x0002, 0x3c00, 0x3c02, 0x7c00,
    ]);
    const nan = bits[11] ?? 0;
    expect(nan & 0x7c00).toBe(0x7c00);
    expect(nan & 0x3ff).not.toBe(0);
    const back = readSafetensors(writeSafetensors({ x: { dtype: 'F16', shape: [12], data: values } }))
      .tensors['x']?.data;
    expect(Array.from(back ?? []).slice(0, 11)).toEqual([
      1,
      -2,
      65504,
      Infinity,
      0,
      2 ** -24,
      0,
      2 ** -23,
      1,
      1 + 2 ** -9,
      Infinity,
    ]);
    expect(back?.[11]).toBeNaN();
  });

  it('rounds float32 to BF16 to nearest, ties to even', () => {
    const values = new Float32Array([1, -3.5, 1 + 2 ** -8, 1 + 3 * 2 ** -8, 1 + 2 ** -7 + 2 ** -9]);
    const bytes = dataOf(
      writeSafetensors({ x: { dtype: 'BF16', shape: [5], data: values } }, { metadata: null }),
    );
    expect(Array.from({ length: 5 }, (_, i) => u16(bytes, i))).toEqual([
      0x3f80, 0xc060, 0x3f80, 0x3f82, 0x3f81,
    ]);
    const back = readSafetensors(writeSafetensors({ x: { dtype: 'BF16', shape: [5], data: values } }));
    expect(back.tensors['x']?.data).toEqual(new Float32Array([1, -3.5, 1, 1 + 2 ** -6, 1 + 2 ** -7]));
  });

  it('round-trips F16, BF16, I32 and I64 files byte for byte', () => {
    const file = writeSafetensors({
      half: { dtype: 'F16', shape: [2, 2], data: new Float32Array([0.5, -0.25, 1024, 3.140625]) },
      brain: { dtype: 'BF16', shape: [3], data: new Float32Array([0.5, -128, 2.5]) },
      ints: { dtype: 'I32', shape: [2], data: new Int32Array([-5, 2 ** 31 - 1]) },
      longs: { dtype: 'I64', shape: [2], data: new Int32Array([-(2 ** 31), 42]) },
      empty: { shape: [0, 3], data: new Float32Array(0) },
    });
    const parsed = readSafetensors(file);
    expect(parsed.tensors['longs']).toEqual({
      dtype: 'I64',
      shape: [2],
      data: new Int32Array([-(2 ** 31), 42]),
    });
    expect(parsed.tensors['half']?.data).toEqual(new Float32Array([0.5, -0.25, 1024, 3.140625]));
    expect(parsed.tensors['empty']?.shape).toEqual([0, 3]);
    expect(Buffer.from(writeSafetensors(parsed.tensors)).equals(Buffer.from(file))).toBe(true);
  });

  it('refuses bad inputs before writing anything', () => {
    const data = new Float32Array(4);
    const cases: [Record<string, SafetensorsTensorInput>, RegExp][] = [
      [{ x: { shape: [3], data } }, /Shape \[3\] does not fit 4 values/],
      [{ x: { shape: [2, -2], data } }, /Shape \[2, -2\]/],
      [{ x: { dtype: 'I32', shape: [4], data } }, /Float32Array values cannot be stored as I32/],
      [{ x: { dtype: 'F64' as never, shape: [4], data } }, /dtype "F64" is not one tdhook writes/],
      [{ __metadata__: { shape: [4], data } }, /cannot name a tensor/],
    ];
    for (const [tensors, message] of cases) {
      expect(() => writeSafetensors(tensors)).toThrowTdhookError('E_CHECKPOINT_TENSOR', message);
    }
    const flags = tf.tensor1d([1, 0], 'bool');
    expect(() => writeSafetensors({ flags })).toThrowTdhookError('E_CHECKPOINT_TENSOR', /bool tensor/);
    flags.dispose();
    expect(() => writeSafetensors({ flags })).toThrowTdhookError('E_CHECKPOINT_TENSOR', /disposed/);
    expect(() => writeSafetensors({}, { metadata: { n: 1 as never } })).toThrowTdhookError(
      'E_CHECKPOINT_TENSOR',
      /__metadata__.n is not a string/,
    );
  });
});

describe('readSafetensors refuses bad files with E_SAFETENSORS_FORMAT', () => {
  const tensor = { dtype: 'F32', shape: [2], data_offsets: [0, 8] };
  const eight = new Uint8Array(8);
  const cases: [string, Uint8Array, RegExp][] = [
    ['fewer than 8 bytes', new Uint8Array(5), /5 bytes, fewer than the 8/],
    ['a length past the end', rawFile({}).subarray(0, 9), /header length 2 runs past the end/],
    [
      'a header that is not UTF-8',
      rawFile(null, eight, '{"\xff"}').map((b, i) => (i === 10 ? 0xff : b)),
      /not UTF-8/,
    ],
    ['a header that is not JSON', rawFile(null, eight, '{"x": [}'), /not valid JSON/],
    ['a header that does not start with {', rawFile([tensor], eight), /does not start with "\{"/],
    ['a header that is no object', rawFile(null, eight, '{} []'), /not valid JSON/],
    [
      'metadata that is not strings',
      rawFile({ __metadata__: { a: 1 }, x: tensor }, eight),
      /__metadata__.a is not a string/,
    ],
    ['an entry that is no object', rawFile({ x: 3 }, eight), /entry is not an object.*tensor x/],
    [
      'an unknown dtype',
      rawFile({ x: { ...tensor, dtype: 'F64' } }, eight),
      /dtype "F64" is not one tdhook reads.*tensor x/,
    ],
    ['a bad shape', rawFile({ x: { ...tensor, shape: [2.5] } }, eight), /shape \[2.5\] is not a list/],
    [
      'bad offsets',
      rawFile({ x: { ...tensor, data_offsets: [0] } }, eight),
      /data_offsets \[0\] is not a pair/,
    ],
    ['reversed offsets', rawFile({ x: { ...tensor, data_offsets: [8, 0] } }, eight), /ends before it begins/],
    [
      'a size that does not match the shape',
      rawFile({ x: { ...tensor, shape: [3] } }, eight),
      /hold 8 bytes, but shape \[3\] of F32 needs 12/,
    ],
    [
      'overlapping tensors',
      rawFile({ x: tensor, y: { ...tensor, data_offsets: [4, 12] } }, new Uint8Array(12)),
      /overlap the previous tensor.*tensor y/,
    ],
    [
      'a gap',
      rawFile({ x: { ...tensor, data_offsets: [4, 12] } }, new Uint8Array(12)),
      /leave a gap after byte 0/,
    ],
    [
      'truncated data',
      rawFile({ x: tensor }, new Uint8Array(6)),
      /cover 8 bytes of data, but the file holds 6/,
    ],
    [
      'trailing bytes',
      rawFile({ x: tensor }, new Uint8Array(10)),
      /cover 8 bytes of data, but the file holds 10/,
    ],
  ];
  for (const [label, bytes, message] of cases) {
    it(`refuses ${label}`, () => {
      expect(() => readSafetensors(bytes, { file: 'bad.safetensors' })).toThrowTdhookError(
        'E_SAFETENSORS_FORMAT',
        message,
      );
      expect(() => readSafetensors(bytes, { file: 'bad.safetensors' })).toThrowTdhookError(
        'E_SAFETENSORS_FORMAT',
        /file bad\.safetensors/,
      );
    });
  }

  it('refuses I64 values outside the int32 range, naming the tensor', () => {
    const data = new Uint8Array(8);
    new DataView(data.buffer).setBigInt64(0, 2n ** 40n, true);
    const bytes = rawFile({ big: { dtype: 'I64', shape: [1], data_offsets: [0, 8] } }, data);
    expect(() => readSafetensors(bytes)).toThrowTdhookError(
      'E_SAFETENSORS_FORMAT',
      /outside the int32 range.*tensor big/,
    );
  });
});
