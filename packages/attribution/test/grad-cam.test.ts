import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { TensorDict } from '@tdhook/core';
import { findReferenceResult, tensorFromSpec } from '@tdhook/testing';

import { gradCam, saliency, type GradCamOptions } from '../src/index.js';
import { referenceCnn, referenceInput, referenceMlp } from './reference-models.js';
import { useBackendPatches } from './use-backend-patches.js';

useBackendPatches();

const tolerance = { rtol: 1e-4, atol: 1e-6 };

const targetsOf = { argmax: { select: 'argmax' }, class3: { select: 3 } } as const;

/** Runs gradCam on the reference CNN input and returns a copy of `['attr', layer]`. */
function camOf(options: GradCamOptions, layer: string): tf.Tensor {
  const model = referenceCnn();
  try {
    using prepared = gradCam(options).prepare(model);
    using data = new TensorDict({ input: referenceInput('cnn') }, { batchShape: [4] });
    using result = prepared.run(data);
    return tf.clone(result.getTensor(['attr', layer]));
  } finally {
    model.dispose();
  }
}

describe('gradCam matches captum LayerGradCam on the reference CNN', () => {
  describe.each(['argmax', 'class3'] as const)('target %s', (spec) => {
    it.each([
      ['layer_gradcam_conv2', 'conv2', false],
      ['layer_gradcam_conv2_relu', 'conv2', true],
      ['layer_gradcam_relu2', 'relu2', false],
    ] as const)('%s', (reference, layer, relu) => {
      const expected = tensorFromSpec(
        findReferenceResult('cnn', `${reference}__logits__${spec}`).attributionTfjs,
      );
      const actual = camOf({ layers: layer, relu, target: targetsOf[spec] }, layer);
      expect(actual.shape).toEqual([4, 8, 8, 1]);
      expect(actual).toBeCloseToTensor(expected, tolerance);
      tf.dispose([expected, actual]);
    });
  });

  it('several layers and named targets in one pass, under nested batch dims', () => {
    const model = referenceCnn();
    using prepared = gradCam({
      layers: ['conv2', 'relu2'],
      targets: { predicted: { select: 'argmax' }, three: { select: 3 } },
    }).prepare(model);
    const x = referenceInput('cnn');
    using data = new TensorDict({ input: tf.reshape(x, [2, 2, 16, 16, 1]) }, { batchShape: [2, 2] });
    x.dispose();
    using result = prepared.run(data);
    for (const [name, spec] of [
      ['predicted', 'argmax'],
      ['three', 'class3'],
    ] as const) {
      for (const layer of ['conv2', 'relu2']) {
        const expected = tensorFromSpec(
          findReferenceResult('cnn', `layer_gradcam_${layer}__logits__${spec}`).attributionTfjs,
        );
        const shaped = tf.reshape(expected, [2, 2, 8, 8, 1]);
        expect(result.getTensor(['attr', name, layer])).toBeCloseToTensor(shaped, tolerance);
        tf.dispose([expected, shaped]);
      }
    }
    model.dispose();
  });
});

describe('gradCam options', () => {
  it.each(['bilinear', 'nearest'] as const)('upsample %s resizes the plain map to the input size', (mode) => {
    const plain = camOf({ layers: 'conv2', target: { select: 3 } }, 'conv2');
    const upsampled = camOf({ layers: 'conv2', target: { select: 3 }, upsample: mode }, 'conv2');
    const expected =
      mode === 'bilinear'
        ? tf.image.resizeBilinear(plain as tf.Tensor4D, [16, 16], false, true)
        : tf.image.resizeNearestNeighbor(plain as tf.Tensor4D, [16, 16], false, false);
    expect(upsampled.shape).toEqual([4, 16, 16, 1]);
    expect(upsampled).toBeCloseToTensor(expected, { rtol: 1e-6, atol: 1e-9 });
    tf.dispose([plain, upsampled, expected]);
  });

  it('bilinear upsampling follows PyTorch align_corners=False (half-pixel centres)', () => {
    // 2× of a row [a, b]: [a, ¾a + ¼b, ¼a + ¾b, b] per row; 8 → 16 on the reference map.
    const plain = camOf({ layers: 'conv2', target: { select: 3 } }, 'conv2');
    const upsampled = camOf({ layers: 'conv2', target: { select: 3 }, upsample: 'bilinear' }, 'conv2');
    const [a, b] = [plain.arraySync(), upsampled.arraySync()] as number[][][][][];
    const at = (map: number[][][][] | undefined, i: number, j: number): number =>
      map?.[0]?.[i]?.[j]?.[0] ?? NaN;
    expect(at(b, 0, 0)).toBeCloseTo(at(a, 0, 0), 6);
    expect(at(b, 0, 1)).toBeCloseTo(0.75 * at(a, 0, 0) + 0.25 * at(a, 0, 1), 6);
    expect(at(b, 0, 2)).toBeCloseTo(0.25 * at(a, 0, 0) + 0.75 * at(a, 0, 1), 6);
    expect(at(b, 0, 15)).toBeCloseTo(at(a, 0, 7), 6);
    tf.dispose([plain, upsampled]);
  });

  it('poolAxes: [] and sumAxes: [] give gradient × activation (the original tdhook’s DimsConfig())', () => {
    const model = referenceMlp();
    const x = referenceInput('mlp');
    using camPrepared = gradCam({ layers: 'fc2', poolAxes: [], sumAxes: [], target: { select: 3 } }).prepare(
      model,
    );
    using data = new TensorDict({ input: x }, { batchShape: [4] });
    using cam = camPrepared.run(data);
    camPrepared.restore();
    using timesPrepared = saliency({
      modules: ['fc2'],
      inputs: [],
      multiplyByInputs: true,
      target: { select: 3 },
    }).prepare(model);
    using times = timesPrepared.run(data);
    expect(cam.getTensor(['attr', 'fc2'])).toBeCloseToTensor(times.getTensor(['attr', 'fc2']), {
      rtol: 1e-6,
      atol: 1e-9,
    });
    model.dispose();
  });

  it('a layer without spatial axes and default axes is a typed error', () => {
    const model = referenceMlp();
    using prepared = gradCam({ layers: 'fc2', target: { select: 3 } }).prepare(model);
    using data = new TensorDict({ input: tf.zeros([2, 16]) }, { batchShape: [2] });
    expect(() => prepared.run(data)).toThrowTdhookError('E_SHAPE_MISMATCH', /no spatial axes/);
    model.dispose();
  });

  it('a missing labels key is a typed error that leaks nothing', () => {
    const model = referenceCnn();
    using prepared = gradCam({ layers: 'conv2', target: { select: { labels: 'label' } } }).prepare(model);
    using data = new TensorDict({ input: referenceInput('cnn') }, { batchShape: [4] });
    expect(() => prepared.run(data)).toThrowTdhookError('E_MISSING_KEY');
    model.dispose();
  });

  it('an unknown layer path fails at prepare', () => {
    const model = referenceCnn();
    expect(() => gradCam({ layers: 'conv9' }).prepare(model)).toThrowTdhookError('E_UNKNOWN_PATH');
    model.dispose();
  });

  it.each([
    [{ layers: [] }],
    [{ layers: '' }],
    [{ layers: 'conv2', channelAxis: 0 }],
    [{ layers: 'conv2', relu: 1 }],
    [{ layers: 'conv2', upsample: 'cubic' }],
    [{ layers: 'conv2', poolAxes: [0] }],
    [{ layers: 'conv2', sumAxes: 1 }],
    [{ layers: 'conv2', target: { select: -1 } }],
  ])('rejects %j', (options) => {
    expect(() => gradCam(options as unknown as GradCamOptions)).toThrowTdhookError('E_INVALID_VALUE');
  });

  it('plans one capture per layer and writes one map per layer and target', () => {
    const plan = gradCam({ layers: ['conv2', 'relu2'], targets: { a: { select: 3 } } }).plan();
    expect(plan.hooks).toEqual([
      { path: 'conv2', direction: 'forward', operation: 'capture' },
      { path: 'relu2', direction: 'forward', operation: 'capture' },
    ]);
    expect(plan.outKeys).toContainEqual(['attr', 'a', 'conv2']);
    expect(plan.outKeys).toContainEqual(['attr', 'a', 'relu2']);
  });
});
