// The conditioned dimension workflow end to end (SPEC scenarios 81, 82, 84): activationCaching, the samples,
// a real estimator and the summary in one Workflow, on a core Module and on a TF.js Layers model.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { Lambda, Module, resolveModule, Sequential, TensorDict, Workflow } from '@tdhook/core';
import { hookCounts } from '@tdhook/core/plugin';
import type {} from '@tdhook/testing/vitest';
import { expectClose, stored, valuesOf } from './dimension-workflow-stored.js';
import { describe, expect, it } from 'vitest';

import {
  activationCaching,
  caPcaEstimator,
  channelConditionedSamples,
  conditionedDimensionWorkflow,
  dimensionEstimation,
  localKnnEstimator,
  localPcaEstimator,
  twoNnEstimator,
  type DimensionEstimator,
} from '../src/index.js';

/** The scenario's 1×1 convolution, 3 → 4 channels, no bias: kernel[0, 0, i, c] = (3c + i) / 10 + 0.1. */
const kernelValues = (): tf.Tensor4D =>
  tf.tidy(() =>
    tf.reshape(
      tf.transpose(tf.add(tf.div(tf.reshape(tf.range(0, 12), [4, 3]), 10), 0.1)), // [3, 4]: [i, c]
      [1, 1, 3, 4],
    ),
  );

class PointwiseConv extends Module {
  readonly kernel: tf.Variable;
  constructor() {
    super();
    this.kernel = this.registerParameter('kernel', kernelValues());
  }
  forward(x: tf.Tensor4D): tf.Tensor {
    return tf.conv2d(x, this.kernel as tf.Variable<tf.Rank.R4>, 1, 'valid');
  }
}

/**
 * The scenario's inputs, NHWC: x[s, h, w, i] = (12s + 4i + 2h + w) / 20 (the original's arange(96)/20 in NCHW).
 * Every channel of the output is then a(12s + p) + b at position p: 8 equally spaced points on a line, whose
 * TwoNN ratios are 1 (six inner points) and 2 (the ends), so d = log 8 / log 2 = 3 exactly.
 */
function inputs(): tf.Tensor4D {
  const values = new Float32Array(96);
  for (let s = 0; s < 8; s++)
    for (let h = 0; h < 2; h++)
      for (let w = 0; w < 2; w++)
        for (let i = 0; i < 3; i++) values[((s * 2 + h) * 2 + w) * 3 + i] = (12 * s + 4 * i + 2 * h + w) / 20;
  return tf.tensor4d(values, [8, 2, 2, 3]);
}

describe('conditionedDimensionWorkflow (scenarios 81, 82)', () => {
  it('scenario 81: caching "0" → channel-conditioned samples → TwoNN → summary: 4 executions (1, 0, 0, 0 passes), dimensions full([4], 3)', () => {
    const conv = new PointwiseConv();
    const model = new Sequential([conv]);
    const kernelBefore = Array.from(conv.kernel.dataSync());
    const workflow = conditionedDimensionWorkflow(
      activationCaching({ select: '0', cacheKey: ['activations', 'cache'] }),
      '0',
      channelConditionedSamples,
      twoNnEstimator(),
    );
    const data = new TensorDict({ input: inputs() }, { batchShape: [8] });
    const plan = workflow.plan(model, data);
    expect(plan.executions).toHaveLength(4);
    expect(plan.executions.map((execution) => execution.modelPasses)).toEqual([1, 0, 0, 0]);
    expect(plan.modelPasses).toBe(1);
    const { data: result } = workflow.run(model, data);
    expect(result.getTensor(['activations', 'cache', '0']).shape).toEqual([8, 2, 2, 4]);
    expect(stored(result, ['activations', 'samples']).shape).toEqual([4, 8, 4]);
    expectClose(stored(result, ['metrics', 'dimension']), [3, 3, 3, 3], { rtol: 1e-5, atol: 0 });
    expect(valuesOf(stored(result, ['metrics', 'dimension_summary', 'count']))).toEqual([4]);
    expectClose(stored(result, ['metrics', 'dimension_summary', 'mean']), 3, { rtol: 1e-5, atol: 0 });
    expectClose(stored(result, ['metrics', 'dimension_summary', 'std']), 0, { rtol: 0, atol: 1e-5 });
    // No hooks left, the weights untouched, the data as it was.
    expect(hookCounts(resolveModule(model, '0')).forward).toBe(0);
    expect(Array.from(conv.kernel.dataSync())).toEqual(kernelBefore);
    expect(data.keys()).toEqual([['input']]);
    result.dispose();
    data.dispose();
    model.dispose();
  });

  it('scenario 81: the same on a TF.js Layers model (a 1×1 Conv2D layer named "pointwise")', () => {
    const model = tfl.sequential({
      layers: [
        tfl.layers.conv2d({
          inputShape: [2, 2, 3],
          filters: 4,
          kernelSize: 1,
          useBias: false,
          name: 'pointwise',
        }),
      ],
    });
    const kernel = kernelValues();
    model.getLayer('pointwise').setWeights([kernel]);
    kernel.dispose();
    const workflow = conditionedDimensionWorkflow(
      activationCaching({ select: 'pointwise', cacheKey: ['activations', 'cache'] }),
      'pointwise',
      channelConditionedSamples,
      twoNnEstimator(),
    );
    const data = new TensorDict({ input: inputs() }, { batchShape: [8] });
    const { data: result, plan } = workflow.run(model, data);
    expect(plan.executions.map((execution) => execution.modelPasses)).toEqual([1, 0, 0, 0]);
    expectClose(stored(result, ['metrics', 'dimension']), [3, 3, 3, 3], { rtol: 1e-5, atol: 0 });
    result.dispose();
    data.dispose();
    model.dispose();
  });

  it('scenario 82: the caching method must publish under the workflow cacheKey ("configure cache_key")', () => {
    expect(() =>
      conditionedDimensionWorkflow(
        activationCaching({ select: '0' }),
        '0',
        channelConditionedSamples,
        twoNnEstimator(),
      ),
    ).toThrowTdhookError('E_INVALID_VALUE', 'configure cache_key');
    // A cacheKey of the workflow's own choosing works when both agree.
    const workflow = conditionedDimensionWorkflow(
      activationCaching({ select: '0', cacheKey: 'mine' }),
      '0',
      channelConditionedSamples,
      twoNnEstimator(),
      { cacheKey: 'mine', dimensionKey: 'twonn', summaryKey: 'summary' },
    );
    expect(workflow.steps).toHaveLength(4);
  });
});

describe('dimensionEstimation with the four estimators (scenario 84)', () => {
  // The original's six points (0,0) (1,0) (0,1) (1,1) (2,1) (1,2), as one dataset [1, 6, 2].
  const points = (): tf.Tensor =>
    tf.tensor3d([
      [
        [0, 0],
        [1, 0],
        [0, 1],
        [1, 1],
        [2, 1],
        [1, 2],
      ],
    ]);
  // Worked out by hand (and with numpy): TwoNN ratios are 1 ×4 and √2 ×2, so d = log 6 / log √2; local kNN
  // (k = 2) is ln 2 / ln(R₄/R₂) with NaN at (1,1), whose four nearest are all at distance 1 (a tie); local
  // PCA sees right triangles or lines (1 everywhere); CA-PCA sees right triangles (2) or a line (1).
  const cases: [string, DimensionEstimator, (number | null)[]][] = [
    ['TwoNN', twoNnEstimator(), [(2 * Math.log(6)) / Math.log(2)]],
    ['local kNN', localKnnEstimator({ k: 2 }), [Math.log(2) / Math.log(Math.sqrt(5)), 2, 2, null, 2, 2]],
    ['local PCA', localPcaEstimator({ k: 2 }), [1, 1, 1, 1, 1, 1]],
    ['CA-PCA', caPcaEstimator({ k: 2 }), [2, 2, 2, 2, 1, 1]],
  ];
  for (const [name, estimator, expected] of cases) {
    it(`scenario 84: ${name} plugs into dimensionEstimation unchanged`, () => {
      const data = new TensorDict({ activations: { samples: points() } });
      const { data: result, plan } = new Workflow([dimensionEstimation({ estimator })]).run(
        new Lambda('identity', (x: tf.Tensor) => x),
        data,
      );
      expect(plan.modelPasses).toBe(0);
      const dimensions = stored(result, ['metrics', 'dimension']);
      expect(dimensions.shape[0]).toBe(1);
      const values = valuesOf(dimensions);
      expect(values.map((value) => (Number.isNaN(value) ? null : value))).toEqual(
        expected.map((value) => (value === null ? null : (expect.closeTo(value, 5) as unknown))),
      );
      result.dispose();
      data.dispose();
    });
  }

  it('scenario 84: an estimator with nested internal keys, and TwoNN x/y carried to the step outKey', () => {
    const data = new TensorDict({ activations: { samples: points() } });
    const estimator = twoNnEstimator({
      inKey: ['operator', 'samples'],
      outKey: ['operator', 'dimension'],
      returnXY: true,
    });
    using result = dimensionEstimation({ estimator }).run(data);
    expect(stored(result, ['metrics', 'dimension']).shape).toEqual([1]);
    expect(stored(result, ['metrics', 'dimension_x']).shape).toEqual([1, 5]);
    expectClose(
      stored(result, ['metrics', 'dimension_y']),
      [[1, 2, 3, 4, 5].map((i) => -Math.log(1 - i / 6))],
      { rtol: 1e-5, atol: 1e-6 },
    );
    data.dispose();
  });
});
