import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

import { compareCloseness, formatClosenessReport } from './closeness.js';

describe('compareCloseness', () => {
  it('passes values inside atol + rtol·|expected| and reports the largest error', () => {
    const report = compareCloseness([1, 2, 3], [1, 2.00001, 3.0001], { rtol: 1e-4, atol: 0 });
    expect(report.pass).toBe(true);
    expect(report.mismatches).toBe(0);
    expect(report.maxAbsoluteError).toBeCloseTo(1e-4, 6);
  });

  it('names the worst element by its multi-dimensional index', () => {
    const actual = {
      shape: [2, 3],
      data: [
        [0, 0, 0],
        [0, 0.5, 0.01],
      ],
    };
    const expected = {
      shape: [2, 3],
      data: [
        [0, 0, 0],
        [0, 0, 0],
      ],
    };
    const report = compareCloseness(actual, expected, { rtol: 0, atol: 0.1 });
    expect(report.pass).toBe(false);
    expect(report.mismatches).toBe(1);
    expect(report.worst?.index).toEqual([1, 1]);
    expect(report.worst?.actual).toBe(0.5);
    expect(formatClosenessReport(report)).toContain('worst at [1,1]: actual 0.5, expected 0');
  });

  it('treats NaN as matching only NaN, and as the worst possible error otherwise', () => {
    expect(compareCloseness([NaN, 1], [NaN, 1]).pass).toBe(true);
    const report = compareCloseness([1, NaN], [1.5, 2], { atol: 1 });
    expect(report.pass).toBe(false);
    expect(report.worst?.index).toEqual([1]);
  });

  it('fails on a shape mismatch even when the values agree', () => {
    const report = compareCloseness(
      { shape: [4], data: [1, 2, 3, 4] },
      {
        shape: [2, 2],
        data: [
          [1, 2],
          [3, 4],
        ],
      },
    );
    expect(report.pass).toBe(false);
    expect(report.shapeMismatch).toBe(true);
    expect(formatClosenessReport(report)).toBe('shape mismatch: actual [4] vs expected [2,2]');
  });

  it('reads tensors and leaves none behind', () => {
    const a = tf.tensor2d([
      [1, 2],
      [3, 4],
    ]);
    const b = tf.tensor2d([
      [1, 2],
      [3, 4.5],
    ]);
    expect(compareCloseness(a, b, { atol: 0.6 }).pass).toBe(true);
    expect(compareCloseness(a, b, { atol: 0.4 }).worst?.index).toEqual([1, 1]);
    expect(a).toBeCloseToTensor(b, { atol: 0.6 });
    expect(a).not.toBeCloseToTensor(b, { atol: 0.4 });
    tf.dispose([a, b]);
  });
});
