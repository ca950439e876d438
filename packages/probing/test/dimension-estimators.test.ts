import * as tf from '@tensorflow/tfjs-core';
import { TensorDict } from '@tdhook/core';
import { describe, expect, it } from 'vitest';

import {
  caPca,
  caPcaEstimator,
  localKnn,
  localKnnEstimator,
  localPca,
  localPcaEstimator,
  maxGapDimension,
  ratioDimension,
  twoNn,
  twoNnEstimator,
} from '../src/index.js';
import { circlePoints, finiteMean, gaussianPoints, planePoints, must } from './dimension-sample-data.js';

function values(tensor: tf.Tensor): number[] {
  return Array.from(tensor.dataSync());
}

describe('TwoNN', () => {
  it('scenario 136: default keys give a positive 0-D float32; custom keys work; returnXY writes dimension_x/_y of equal shape', () => {
    const points = gaussianPoints([50, 8], 1);
    using data = new TensorDict({ data: points });
    using result = twoNnEstimator().run(data);
    const dimension = result.getTensor('dimension');
    expect(dimension.shape).toEqual([]);
    expect(dimension.dtype).toBe('float32');
    expect(values(dimension)[0]).toBeGreaterThan(0);

    using custom = new TensorDict({ samples: points.clone() });
    using xy = twoNnEstimator({ inKey: 'samples', outKey: 'id', returnXY: true }).run(custom);
    expect(xy.getTensor('id').shape).toEqual([]);
    expect(xy.getTensor('id_x').shape).toEqual([49]);
    expect(xy.getTensor('id_y').shape).toEqual(xy.getTensor('id_x').shape);
  });

  it('scenario 136: a 2-D plane in 10-D gives d ∈ (1.5, 2.5); a circle gives d ∈ (0.5, 1.5) with a through-origin fit R² > 0.9', () => {
    const plane = planePoints(400, 10, 2);
    const circle = circlePoints(200, 10, 3);
    const onPlane = twoNn(plane);
    const onCircle = twoNn(circle, { returnXY: true });
    try {
      expect(values(onPlane.dimension)[0]).toBeGreaterThan(1.5);
      expect(values(onPlane.dimension)[0]).toBeLessThan(2.5);
      const d = must(values(onCircle.dimension)[0]);
      expect(d).toBeGreaterThan(0.5);
      expect(d).toBeLessThan(1.5);
      const x = values(must(onCircle.x)).filter(Number.isFinite);
      const y = values(must(onCircle.y)).filter(Number.isFinite);
      const meanY = y.reduce((a, b) => a + b, 0) / y.length;
      const residual = x.reduce((sum, xi, i) => sum + (must(y[i]) - d * xi) ** 2, 0);
      const total = y.reduce((sum, yi) => sum + (yi - meanY) ** 2, 0);
      expect(1 - residual / total).toBeGreaterThan(0.9);
    } finally {
      tf.dispose([plane, circle, onPlane.dimension, onCircle.dimension, must(onCircle.x), must(onCircle.y)]);
    }
  });

  it.each([[[1, 5, 8]], [[10, 5, 8]], [[10, 10, 4]], [[2, 3, 5, 8]]])(
    'scenario 136: batch shape %j is preserved (x/y too)',
    (shape) => {
      const points = gaussianPoints(shape, 4);
      const out = twoNn(points, { returnXY: true });
      try {
        expect(out.dimension.shape).toEqual(shape.slice(0, -2));
        expect(must(out.x).shape).toEqual([...shape.slice(0, -2), must(shape[shape.length - 2]) - 1]);
        expect(must(out.y).shape).toEqual(must(out.x).shape);
        // Each slice equals the estimate of that slice alone.
        const n = must(shape[shape.length - 2]);
        const d = must(shape[shape.length - 1]);
        const first = tf.tidy(() =>
          tf.reshape(tf.slice(tf.reshape(points, [-1, n, d]), [0, 0, 0], [1, n, d]), [n, d]),
        );
        const alone = twoNn(first);
        expect(values(out.dimension)[0]).toBeCloseTo(must(values(alone.dimension)[0]), 6);
        tf.dispose([first, alone.dimension]);
      } finally {
        tf.dispose([points, out.dimension, must(out.x), must(out.y)]);
      }
    },
  );

  it('scenario 137: 2 points raise "At least 3 points"; all-duplicate points raise "At least 3 valid points"; nothing leaks', () => {
    const two = tf.ones([2, 5]);
    const same = tf.ones([5, 3]);
    const before = tf.memory().numTensors;
    expect(() => twoNn(two)).toThrowTdhookError('E_SHAPE_MISMATCH', 'At least 3 points');
    expect(() => twoNn(same)).toThrowTdhookError('E_INVALID_VALUE', 'At least 3 valid points');
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([two, same]);
  });

  it('scenario 137: deterministic, and the description shows the keys and eps', () => {
    const points = gaussianPoints([60, 5], 5);
    const a = twoNn(points);
    const b = twoNn(points);
    expect(values(a.dimension)).toEqual(values(b.dimension));
    tf.dispose([points, a.dimension, b.dimension]);
    const estimator = twoNnEstimator({ inKey: ['representations', 'samples'], eps: 1e-4 });
    expect(String(estimator)).toBe(
      'twoNnEstimator(inKey=["representations","samples"], outKey="dimension", returnXY=false, eps=0.0001)',
    );
    expect(estimator.describe()).toBe(String(estimator));
  });
});

describe('LocalKnn', () => {
  it('scenario 138: per point (N,); plane mean ∈ (1, 5) and circle mean ∈ (0.3, 2.5) at k = 5; batch → (…, N)', () => {
    const plane = planePoints(200, 10, 6);
    const circle = circlePoints(200, 10, 7);
    const batch = gaussianPoints([2, 3, 30, 4], 8);
    const onPlane = localKnn(plane, { k: 5 });
    const onCircle = localKnn(circle, { k: 5 });
    const batched = localKnn(batch, { k: 5 });
    try {
      expect(onPlane.shape).toEqual([200]);
      expect(finiteMean(onPlane.dataSync())).toBeGreaterThan(1);
      expect(finiteMean(onPlane.dataSync())).toBeLessThan(5);
      expect(finiteMean(onCircle.dataSync())).toBeGreaterThan(0.3);
      expect(finiteMean(onCircle.dataSync())).toBeLessThan(2.5);
      expect(batched.shape).toEqual([2, 3, 30]);
    } finally {
      tf.dispose([plane, circle, batch, onPlane, onCircle, batched]);
    }
  });

  it('scenario 138: N < 2k+1 raises; k = 1 is the ValueError, k = 2.5 the TypeError text; k auto works; deterministic (NaN-equal); description', () => {
    const small = gaussianPoints([10, 3], 9);
    expect(() => localKnn(small, { k: 5 })).toThrowTdhookError('E_SHAPE_MISMATCH', 'At least 2k+1 points');
    expect(() => localKnnEstimator({ k: 1 })).toThrowTdhookError(
      'E_INVALID_VALUE',
      'k must be greater than 1',
    );
    expect(() => localKnnEstimator({ k: 2.5 })).toThrowTdhookError(
      'E_INVALID_VALUE',
      "k must be an int or 'auto'",
    );
    expect(() => localKnn(small, { k: true as never })).toThrowTdhookError(
      'E_INVALID_VALUE',
      "k must be an int or 'auto'",
    );
    const auto = localKnn(small);
    const again = localKnn(small);
    expect(auto.shape).toEqual([10]);
    expect(values(auto).map(String)).toEqual(values(again).map(String));
    tf.dispose([small, auto, again]);
    expect(String(localKnnEstimator({ k: 5 }))).toBe(
      'localKnnEstimator(inKey="data", outKey="dimension", k=5, eps=0.00001)',
    );
  });
});

describe('LocalPca', () => {
  it('scenario 139: per point ≥ 1; plane mean ∈ (1, 5) for maxgap and ratio; circle mean ∈ (0.5, 3); batch preserved', () => {
    const plane = planePoints(100, 10, 10);
    const circle = circlePoints(100, 10, 11);
    const batch = gaussianPoints([2, 20, 3], 12);
    const outs = [
      localPca(plane, { k: 5 }),
      localPca(plane, { k: 5, criterion: 'ratio' }),
      localPca(circle, { k: 5 }),
      localPca(batch, { k: 5 }),
    ];
    try {
      for (const out of outs) expect(values(out).every((v) => v >= 1)).toBe(true);
      for (const out of outs.slice(0, 2)) {
        expect(finiteMean(out.dataSync())).toBeGreaterThan(1);
        expect(finiteMean(out.dataSync())).toBeLessThan(5);
      }
      expect(finiteMean(must(outs[2]).dataSync())).toBeGreaterThan(0.5);
      expect(finiteMean(must(outs[2]).dataSync())).toBeLessThan(3);
      expect(must(outs[3]).shape).toEqual([2, 20]);
    } finally {
      tf.dispose([plane, circle, batch, ...outs]);
    }
  });

  it('scenario 139: N < k+1 raises; k validation; an unknown criterion raises at call time; the PCA needs no optional dependency (ml-matrix is a dependency, so there is no ImportError case)', () => {
    const small = gaussianPoints([5, 5], 13);
    const data = gaussianPoints([20, 4], 14);
    expect(() => localPca(small, { k: 5 })).toThrowTdhookError('E_SHAPE_MISMATCH', 'At least k+1 points');
    expect(() => localPcaEstimator({ k: 0 })).toThrowTdhookError('E_INVALID_VALUE', 'k must be at least 1');
    expect(() => localPcaEstimator({ k: 2.5 })).toThrowTdhookError(
      'E_INVALID_VALUE',
      "k must be an int or 'auto'",
    );
    expect(() => localPca(data, { k: 5, criterion: 'invalid' as 'ratio' })).toThrowTdhookError(
      'E_INVALID_VALUE',
      'Unknown criterion',
    );
    tf.dispose([small, data]);
  });

  it('scenario 139: 1-D data gives values ≥ 1; maxgap([1]) = maxgap([]) = 1 and ratio([]) = 1; constant data gives all NaN', () => {
    const line = tf.tensor2d(Array.from({ length: 30 }, (_, i) => [i * 0.37 + (i % 3) * 0.01]));
    const constant = tf.ones([12, 3]);
    const onLine = localPca(line, { k: 4 });
    const onConstant = localPca(constant, { k: 3 });
    try {
      expect(values(onLine).every((v) => v >= 1)).toBe(true);
      expect(maxGapDimension([1])).toBe(1);
      expect(maxGapDimension([])).toBe(1);
      expect(ratioDimension([], 0.05)).toBe(1);
      expect(values(onConstant).every(Number.isNaN)).toBe(true);
    } finally {
      tf.dispose([line, constant, onLine, onConstant]);
    }
  });
});

describe('CaPca', () => {
  it('scenario 140: per point ≥ 1; plane and circle means in range; batch preserved; k = 1 gives finite values ≥ 1', () => {
    const plane = planePoints(100, 10, 15);
    const circle = circlePoints(100, 10, 16);
    const batch = gaussianPoints([3, 20, 4], 17);
    const onPlane = caPca(plane, { k: 8 });
    const onCircle = caPca(circle, { k: 8 });
    const batched = caPca(batch, { k: 5 });
    const kOne = caPca(plane, { k: 1 });
    try {
      expect(finiteMean(onPlane.dataSync())).toBeGreaterThan(1);
      expect(finiteMean(onPlane.dataSync())).toBeLessThan(5);
      expect(finiteMean(onCircle.dataSync())).toBeGreaterThanOrEqual(0.5);
      expect(finiteMean(onCircle.dataSync())).toBeLessThan(3);
      expect(batched.shape).toEqual([3, 20]);
      expect(values(kOne).every((v) => Number.isFinite(v) && v >= 1)).toBe(true);
    } finally {
      tf.dispose([plane, circle, batch, onPlane, onCircle, batched, kOne]);
    }
  });

  it('scenario 140: N < k+2 raises; k validation; constant data gives NaN', () => {
    const small = gaussianPoints([6, 5], 18);
    const constant = tf.ones([6, 3]);
    expect(() => caPca(small, { k: 5 })).toThrowTdhookError('E_SHAPE_MISMATCH', 'At least k+2 points');
    expect(() => caPcaEstimator({ k: 0 })).toThrowTdhookError('E_INVALID_VALUE', 'k must be at least 1');
    expect(() => caPcaEstimator({ k: 2.5 })).toThrowTdhookError(
      'E_INVALID_VALUE',
      "k must be an int or 'auto'",
    );
    const out = caPca(constant, { k: 2 });
    expect(values(out).every(Number.isNaN)).toBe(true);
    tf.dispose([small, constant, out]);
  });
});

describe('dimension estimators as Workflow operators', () => {
  it.each([
    ['twoNnEstimator', twoNnEstimator, []],
    ['localKnnEstimator', localKnnEstimator, [40]],
    ['localPcaEstimator', localPcaEstimator, [40]],
    ['caPcaEstimator', caPcaEstimator, [40]],
  ] as const)(
    'scenario 143: %s reads and writes nested keys ("representations","samples") → ("metrics","dimension")',
    (_name, factory, perPointShape) => {
      const estimator = factory({ inKey: ['representations', 'samples'], outKey: ['metrics', 'dimension'] });
      expect(estimator.inKeys).toEqual([['representations', 'samples']]);
      expect(estimator.outKey).toEqual(['metrics', 'dimension']);
      using data = new TensorDict({ representations: { samples: gaussianPoints([40, 6], 19) } });
      using result = estimator.run(data);
      expect(result.getTensor(['metrics', 'dimension']).shape).toEqual(perPointShape);
      expect(data.has(['metrics', 'dimension'])).toBe(false);
    },
  );

  it("scenario 143: TwoNN's xy keys suffix only the leaf", () => {
    const estimator = twoNnEstimator({
      inKey: ['representations', 'samples'],
      outKey: ['metrics', 'dimension'],
      returnXY: true,
    });
    expect(estimator.outKeys).toEqual([
      ['metrics', 'dimension'],
      ['metrics', 'dimension_x'],
      ['metrics', 'dimension_y'],
    ]);
    using data = new TensorDict({ representations: { samples: gaussianPoints([2, 30, 6], 20) } });
    using result = estimator.run(data);
    expect(result.getTensor(['metrics', 'dimension_x']).shape).toEqual([2, 29]);
    expect(result.getTensor(['metrics', 'dimension']).shape).toEqual([2]);
  });

  it('keeps the input batch shape when every output starts with it', () => {
    using data = new TensorDict({ data: gaussianPoints([3, 20, 4], 21) }, { batchShape: [3] });
    using result = localKnnEstimator({ k: 3 }).run(data);
    expect(result.batchShape).toEqual([3]);
    expect(result.getTensor('dimension').shape).toEqual([3, 20]);
  });

  it('a failing run leaves no partial output and no tensors', () => {
    using data = new TensorDict({ data: gaussianPoints([2, 4], 22) });
    const before = tf.memory().numTensors;
    expect(() => twoNnEstimator().run(data)).toThrowTdhookError('E_SHAPE_MISMATCH', 'At least 3 points');
    expect(() => twoNnEstimator({ inKey: 'missing' }).run(data)).toThrowTdhookError('E_MISSING_KEY');
    expect(tf.memory().numTensors).toBe(before);
  });
});
