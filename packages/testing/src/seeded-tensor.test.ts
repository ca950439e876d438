import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

import { seededTensor } from './seeded-tensor.js';

describe('seededTensor', () => {
  it('gives the same values for the same seed, others for another, within ±scale/2', () => {
    const a = seededTensor([3, 4], 7, 1);
    const b = seededTensor([3, 4], 7, 1);
    const c = seededTensor([3, 4], 8, 1);
    expect(a.shape).toEqual([3, 4]);
    expect(a).toBeCloseToTensor(b, { rtol: 0, atol: 0 });
    expect(a).not.toBeCloseToTensor(c, { rtol: 0, atol: 1e-3 });
    expect(Array.from(a.dataSync()).every((value) => value >= -0.5 && value < 0.5)).toBe(true);
    // The first value of the LCG from seed 7: (7·1664525 + 1013904223) mod 2³² / 2³² − 0.5.
    expect(a.dataSync()[0]).toBeCloseTo(((7 * 1664525 + 1013904223) % 2 ** 32) / 2 ** 32 - 0.5, 6);
    tf.dispose([a, b, c]);
  });
});
