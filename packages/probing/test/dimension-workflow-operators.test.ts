// The dimension workflow's operators on their own (SPEC scenarios 83–86), with a stand-in estimator; the
// real estimators and the caching method are in dimension-workflow.test.ts.
import * as tf from '@tensorflow/tfjs-core';
import { defineOperator, Lambda, TensorDict, Workflow, type KeyPath } from '@tdhook/core';
import type {} from '@tdhook/testing/vitest';
import { expectClose, stored, valuesOf } from './dimension-workflow-stored.js';
import { describe, expect, it } from 'vitest';

import {
  activationSamples,
  channelConditionedSamples,
  dimensionEstimation,
  dimensionSummary,
  getShapeNeutralTensor,
  ShapeNeutralTensor,
  spatialConditionedSamples,
  type DimensionEstimator,
} from '../src/index.js';

/** The scenario's activations in channels-first order: [8, 4, 2, 2] = arange(128) / 10. */
const channelsFirst = (): tf.Tensor4D =>
  tf.tidy(() => tf.div(tf.reshape(tf.range(0, 128), [8, 4, 2, 2]), 10));

/** Reads element [i, j, …] of a row-major array of the given shape. */
const at = (values: ArrayLike<number>, shape: readonly number[], index: readonly number[]): number =>
  values[index.reduce((flat, i, axis) => flat * (shape[axis] as number) + i, 0)] as number;

/** A stand-in estimator: the number of features minus one, per point cloud ([..., N, D] → [...]). */
function featuresMinusOne(
  inKey: KeyPath | string = 'data',
  outKey: KeyPath | string = 'dimension',
): DimensionEstimator {
  const operator = defineOperator({
    name: 'features-minus-one',
    inKeys: [inKey],
    outKeys: [outKey],
    run: (data) => {
      const x = data.getTensor(inKey);
      return new TensorDict([[outKey, tf.fill(x.shape.slice(0, -2), (x.shape.at(-1) ?? 0) - 1)]]);
    },
  });
  return { ...operator, inKey, outKey };
}

const identity = new Lambda('identity', (x: tf.Tensor) => x);

describe('conditioned samples (scenario 83)', () => {
  it('scenario 83: the channel and spatial selectors equal the permute+reshape formulas, channels first and last', () => {
    const first = channelsFirst();
    const last = tf.transpose(first, [0, 2, 3, 1]); // [8, 2, 2, 4], as a TF.js convolution gives it
    const values = first.dataSync();
    // channel: out[c, s, h·2+w] = x[s, c, h, w]; spatial: out[h·2+w, s, c] = x[s, c, h, w].
    const channel = new Float32Array(128);
    const spatial = new Float32Array(128);
    for (let s = 0; s < 8; s++)
      for (let c = 0; c < 4; c++)
        for (let h = 0; h < 2; h++)
          for (let w = 0; w < 2; w++) {
            const value = at(values, [8, 4, 2, 2], [s, c, h, w]);
            channel[c * 32 + s * 4 + h * 2 + w] = value;
            spatial[(h * 2 + w) * 32 + s * 4 + c] = value;
          }
    const cases = [
      [channelConditionedSamples(last), channel],
      [channelConditionedSamples(first, { dataFormat: 'channelsFirst' }), channel],
      [spatialConditionedSamples(last), spatial],
      [spatialConditionedSamples(first, { dataFormat: 'channelsFirst' }), spatial],
    ] as const;
    for (const [samples, expected] of cases) {
      expect(samples.shape).toEqual([4, 8, 4]);
      expect(Array.from(samples.dataSync())).toEqual(Array.from(expected));
    }
    tf.dispose([first, last, ...cases.map(([samples]) => samples)]);
  });

  it('scenario 83: channel conditioning flattens every remaining axis; both selectors reject wrong ranks', () => {
    const rank3 = tf.tidy(() => tf.reshape(tf.range(0, 24), [2, 3, 4])); // [S, L, C]: positions of a sequence, channels last
    const samples = channelConditionedSamples(rank3);
    expect(samples.shape).toEqual([4, 2, 3]);
    expect(Array.from(samples.dataSync().slice(0, 6))).toEqual([0, 4, 8, 12, 16, 20]);
    const flat = tf.ones([2, 3]);
    const rank3Ones = tf.ones([2, 3, 4]);
    expect(() => channelConditionedSamples(flat)).toThrowTdhookError(
      'E_SHAPE_MISMATCH',
      'Channel-conditioned',
    );
    expect(() => spatialConditionedSamples(rank3Ones)).toThrowTdhookError(
      'E_SHAPE_MISMATCH',
      'Spatial-conditioned',
    );
    expect(() => channelConditionedSamples(rank3Ones, { dataFormat: 'nchw' as never })).toThrowTdhookError(
      'E_INVALID_VALUE',
      'dataFormat',
    );
    tf.dispose([rank3, samples, flat, rank3Ones]);
  });
});

describe('activationSamples, dimensionEstimation (scenarios 84, 85)', () => {
  it('scenario 84: operator-only workflows (two activationSamples) need 0 model passes', () => {
    const first = tf.tidy(() => tf.transpose(channelsFirst(), [0, 2, 3, 1]));
    const data = new TensorDict({ activations: { cache: { first, second: tf.add(first, 1) } } });
    const workflow = new Workflow([
      activationSamples({
        activationKey: 'first',
        transform: channelConditionedSamples,
        outKey: ['activations', 'first'],
      }),
      activationSamples({
        activationKey: 'second',
        transform: spatialConditionedSamples,
        outKey: ['activations', 'second'],
      }),
    ]);
    const plan = workflow.plan(identity, data);
    expect(plan.modelPasses).toBe(0);
    expect(plan.executions.map((execution) => execution.kind)).toEqual(['operator', 'operator']);
    const { data: result } = workflow.run(identity, data);
    expect(stored(result, ['activations', 'first']).shape).toEqual([4, 8, 4]);
    expect(stored(result, ['activations', 'second']).shape).toEqual([4, 8, 4]);
    // The second is spatial: position 0 of sample 0 holds channels 0..3 of first + 1.
    expect(valuesOf(stored(result, ['activations', 'second'])).slice(0, 4)).toEqual(
      [1, 1.4, 1.8, 2.2].map(Math.fround),
    );
    result.dispose();
    data.dispose();
  });

  it('scenario 84: estimators with nested internal keys plug in; their keys stay private to the step', () => {
    const data = new TensorDict({ activations: { samples: tf.ones([1, 8, 4]) } });
    const estimator = featuresMinusOne(['operator', 'samples'], ['operator', 'dimension']);
    const step = dimensionEstimation({ estimator });
    expect(step.inKeys).toEqual([['activations', 'samples']]);
    expect(step.outKeys).toEqual([['metrics', 'dimension']]);
    using result = step.run(data);
    expect(result.keys()).toEqual([['metrics', 'dimension']]);
    expectClose(stored(result, ['metrics', 'dimension']), [3], { rtol: 0, atol: 0 });
    data.dispose();
  });

  it('scenario 84: suffixed estimator outputs (TwoNN x and y) follow the outKey', () => {
    const base = defineOperator({
      name: 'with-xy',
      inKeys: ['data'],
      outKeys: ['dimension', 'dimension_x', 'dimension_y', 'other'],
      run: () =>
        new TensorDict({
          dimension: tf.scalar(2),
          dimension_x: tf.tensor1d([1, 2]),
          dimension_y: tf.tensor1d([3, 4]),
          other: tf.scalar(9),
        }),
    });
    const step = dimensionEstimation({
      estimator: { ...base, inKey: 'data', outKey: 'dimension' },
      outKey: ['metrics', 'twonn'],
    });
    expect(step.outKeys).toEqual([
      ['metrics', 'twonn'],
      ['metrics', 'twonn_x'],
      ['metrics', 'twonn_y'],
    ]);
    const data = new TensorDict({ activations: { samples: tf.ones([5, 2]) } });
    using result = step.run(data);
    expectClose(stored(result, ['metrics', 'twonn_y']), [3, 4], { rtol: 0, atol: 0 });
    expect(result.has('other')).toBe(false);
    data.dispose();
  });

  it('scenario 85: operator validation (non-tensor cache, bad transform results, estimator without keys, non-tensor samples)', () => {
    expect(() => activationSamples({ activationKey: [] as never, transform: (x) => x })).toThrowTdhookError(
      'E_INVALID_KEY',
      'activationKey',
    );
    expect(() =>
      activationSamples({ activationKey: 'value', transform: (x) => x, cacheKey: [] as never }),
    ).toThrowTdhookError('E_INVALID_KEY', 'cacheKey');
    expect(() =>
      activationSamples({ activationKey: 'value', transform: 'flatten' as never }),
    ).toThrowTdhookError('E_INVALID_VALUE', 'transform');
    const invalid = new TensorDict({ activations: { cache: { invalid: 'not-a-tensor' } } });
    expect(() =>
      activationSamples({ activationKey: 'invalid', transform: (x) => x }).run(invalid),
    ).toThrowTdhookError(
      'E_INVALID_VALUE',
      'Cached activation "invalid" at ["activations","cache","invalid"] must be a tensor',
    );
    invalid.dispose();

    const cache = new TensorDict({ activations: { cache: { value: tf.ones([3, 2, 2]) } } });
    const before = tf.memory().numTensors;
    expect(() =>
      activationSamples({ activationKey: 'value', transform: () => 'not-a-tensor' as never }).run(cache),
    ).toThrowTdhookError('E_INVALID_VALUE', 'must return a tensor');
    expect(() =>
      activationSamples({
        activationKey: 'value',
        transform: (x) => tf.reshape(tf.slice(x, [0, 0, 0], [1, 1, 2]), [2]),
      }).run(cache),
    ).toThrowTdhookError('E_SHAPE_MISMATCH', 'points, features');
    expect(() =>
      activationSamples({ activationKey: 'missing', transform: (x) => x }).run(cache),
    ).toThrowTdhookError('E_MISSING_KEY', 'Cached activation');
    expect(tf.memory().numTensors).toBe(before); // a failing step leaves nothing behind
    // An identity transform: the samples get their own handle, the cache keeps its own.
    using same = activationSamples({ activationKey: 'value', transform: (x) => x }).run(cache);
    expect(valuesOf(stored(same, ['activations', 'samples']))).toEqual(new Array(12).fill(1));
    cache.dispose();

    for (const estimator of [
      identity,
      {},
      { inKey: 'data', run: () => undefined },
      { inKey: 'data', outKey: [], run: () => undefined },
    ]) {
      expect(() => dimensionEstimation({ estimator: estimator as never })).toThrowTdhookError(
        'E_INVALID_VALUE',
        'inKey and outKey (the original in_key and out_key)',
      );
    }
    expect(() =>
      dimensionEstimation({ estimator: featuresMinusOne(), inKey: [] as never }),
    ).toThrowTdhookError('E_INVALID_KEY', 'inKey');
    const samples = new TensorDict({ activations: { samples: 'not-a-tensor' } });
    expect(() => dimensionEstimation({ estimator: featuresMinusOne() }).run(samples)).toThrowTdhookError(
      'E_INVALID_VALUE',
      'Estimator samples at ["activations","samples"] must be a tensor',
    );
    samples.set(['activations', 'samples'], tf.ones([2]));
    expect(() => dimensionEstimation({ estimator: featuresMinusOne() }).run(samples)).toThrowTdhookError(
      'E_SHAPE_MISMATCH',
      'points, features',
    );
    samples.dispose();
  });

  it('results are stored shape-neutral, whatever the batch shape; getShapeNeutralTensor reads either kind', () => {
    const data = new TensorDict(
      { activations: { cache: { conv: tf.ones([8, 2, 2, 4]) } } },
      { batchShape: [8] },
    );
    using result = activationSamples({ activationKey: 'conv', transform: channelConditionedSamples }).run(
      data,
    );
    expect(result.batchShape).toEqual([8]);
    expect(stored(result, ['activations', 'samples']).shape).toEqual([4, 8, 4]);
    // Batch operations keep a shape-neutral leaf as it is.
    using first = result.index(0);
    expect(stored(first, ['activations', 'samples']).shape).toEqual([4, 8, 4]);
    const samples = getShapeNeutralTensor(result, ['activations', 'samples']);
    const cached = getShapeNeutralTensor(data, ['activations', 'cache', 'conv']);
    expect(samples.shape).toEqual([4, 8, 4]);
    expect(cached.shape).toEqual([8, 2, 2, 4]);
    tf.dispose([samples, cached]);
    expect(() => getShapeNeutralTensor(result, 'missing')).toThrowTdhookError('E_MISSING_KEY', 'Nothing at');
    expect(() => new ShapeNeutralTensor(new Float32Array(3), [2, 2], 'float32')).toThrowTdhookError(
      'E_INVALID_VALUE',
      'do not fill shape',
    );
    data.dispose();
  });
});

describe('dimensionSummary (scenario 86)', () => {
  const summaryOf = (dimensions: tf.Tensor, dims?: number | number[]): TensorDict => {
    const data = new TensorDict({ metrics: { dimension: dimensions } });
    try {
      return dimensionSummary(dims === undefined ? {} : { dims }).run(data);
    } finally {
      data.dispose();
    }
  };

  it('scenario 86: dims -1 ignores NaN: count [2, 3], mean [2, 4], population std [1, √(8/3)]', () => {
    using summary = summaryOf(
      tf.tensor2d([
        [1, NaN, 3],
        [2, 4, 6],
      ]),
      -1,
    );
    expectClose(stored(summary, ['metrics', 'dimension_summary', 'count']), [2, 3], {
      rtol: 0,
      atol: 0,
    });
    expect(stored(summary, ['metrics', 'dimension_summary', 'count']).dtype).toBe('int32');
    expectClose(stored(summary, ['metrics', 'dimension_summary', 'mean']), [2, 4], {
      rtol: 1e-7,
      atol: 0,
    });
    expectClose(stored(summary, ['metrics', 'dimension_summary', 'std']), [1, Math.sqrt(8 / 3)], {
      rtol: 1e-7,
      atol: 0,
    });
  });

  it('scenario 86: a scalar gives count 1; all-NaN slices give count 0 and NaN mean and std; Infinity is not finite', () => {
    using scalar = summaryOf(tf.scalar(2.5));
    expect(valuesOf(stored(scalar, ['metrics', 'dimension_summary', 'count']))).toEqual([1]);
    expect(valuesOf(stored(scalar, ['metrics', 'dimension_summary', 'mean']))).toEqual([2.5]);
    expect(valuesOf(stored(scalar, ['metrics', 'dimension_summary', 'std']))).toEqual([0]);
    expect(stored(scalar, ['metrics', 'dimension_summary', 'count']).shape).toEqual([]);
    using empty = summaryOf(tf.fill([2, 3], NaN), -1);
    expect(valuesOf(stored(empty, ['metrics', 'dimension_summary', 'count']))).toEqual([0, 0]);
    expect(valuesOf(stored(empty, ['metrics', 'dimension_summary', 'mean']))).toEqual([NaN, NaN]);
    expect(valuesOf(stored(empty, ['metrics', 'dimension_summary', 'std']))).toEqual([NaN, NaN]);
    using all = summaryOf(
      tf.tensor2d([
        [1, Infinity, 3],
        [2, 4, 6],
      ]),
    );
    expect(valuesOf(stored(all, ['metrics', 'dimension_summary', 'count']))).toEqual([5]);
    expect(valuesOf(stored(all, ['metrics', 'dimension_summary', 'mean']))[0]).toBeCloseTo(16 / 5, 6);
    // Over axes 0 and 2 of [2, 2, 2]: the kept axis 1 in order.
    using twoAxes = summaryOf(
      tf.tensor3d([
        [
          [1, 2],
          [10, 20],
        ],
        [
          [3, 4],
          [30, 40],
        ],
      ]),
      [0, -1],
    );
    expectClose(stored(twoAxes, ['metrics', 'dimension_summary', 'mean']), [2.5, 25], {
      rtol: 1e-7,
      atol: 0,
    });
  });

  it('scenario 86: duplicate, empty or out-of-range dims raise "unique valid dimensions"', () => {
    for (const dims of [[0, 0], [], 1.5]) {
      expect(() => dimensionSummary({ dims: dims as number[] })).toThrowTdhookError(
        'E_INVALID_VALUE',
        'Summary dimensions must be unique valid dimensions',
      );
    }
    for (const dims of [2, [-1, 1], -3]) {
      expect(() => summaryOf(tf.ones([2, 2]), dims)).toThrowTdhookError(
        'E_INVALID_VALUE',
        'Summary dimensions must be unique valid dimensions',
      );
    }
    const data = new TensorDict({ metrics: { dimension: 'not-a-tensor' } });
    expect(() => dimensionSummary().run(data)).toThrowTdhookError('E_INVALID_VALUE', 'Dimensions at');
    data.dispose();
    expect(() => dimensionSummary({ outKey: [] as never })).toThrowTdhookError('E_INVALID_KEY', 'outKey');
  });
});
