import * as tf from '@tensorflow/tfjs-core';
import type {} from '@tdhook/testing/vitest';
import { describe, expect, it } from 'vitest';

import { readSafetensors, SafetensorsError, writeSafetensors } from '../plugin.js';

describe('the safetensors codec', () => {
  it('writes F32 and I32 tensors and reads them back bit for bit, header padded to 8 bytes', () => {
    const values = tf.tensor2d([
      [1.5, -2, 3.25],
      [0, 1e-20, -7],
    ]);
    const ids = tf.tensor1d([3, -1, 2147483647], 'int32');
    const bytes = writeSafetensors({ values, ids }, { metadata: { rows: '2' } });
    const headerLength = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect(headerLength % 8).toBe(0);
    const { metadata, tensors } = readSafetensors(bytes);
    expect(metadata).toEqual({ rows: '2' });
    expect(tensors['values']?.dtype).toBe('F32');
    expect(tensors['values']?.shape).toEqual([2, 3]);
    expect(Array.from(tensors['values']?.data ?? [])).toEqual(Array.from(values.dataSync()));
    expect(Array.from(tensors['ids']?.data ?? [])).toEqual([3, -1, 2147483647]);
    tf.dispose([values, ids]);
  });

  it('throws a SafetensorsError naming the file for malformed bytes and the tensor for unwritable input', () => {
    const truncated = writeSafetensors({ x: { shape: [4], data: new Float32Array(4) } }).subarray(0, 30);
    expect(() => readSafetensors(truncated, { file: 'shard.safetensors' })).toThrow(SafetensorsError);
    expect(() => readSafetensors(truncated, { file: 'shard.safetensors' })).toThrow(/shard\.safetensors/);
    const bool = tf.tensor1d([true], 'bool');
    try {
      writeSafetensors({ flag: bool });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(SafetensorsError);
      expect((error as SafetensorsError).code).toBe('E_SAFETENSORS_TENSOR');
      expect((error as SafetensorsError).tensor).toBe('flag');
    }
    bool.dispose();
  });
});
