import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

import {
  findReferenceResult,
  loadReferenceModel,
  loadReferenceResults,
  nchwToNhwc,
  referenceDirectory,
} from './reference.js';
import { tensorFromSpec, tensorsFromSpecs } from './tensor-values.js';

// The project keeps its shared reference set beside the repository clone (../shared/reference).
const sharedReference = fileURLToPath(new URL('../../../../shared/reference/', import.meta.url));

describe('reference fixtures', () => {
  it.runIf(existsSync(sharedReference))('are byte-identical copies of the shared reference set', () => {
    for (const file of [
      'mlp.json',
      'cnn.json',
      'reference-mlp.json',
      'reference-cnn.json',
      'probing/README.md',
      'probing/dimension-estimation.json',
      'probing/representation-similarity.json',
      'probing/probing.json',
    ]) {
      const shipped = readFileSync(join(referenceDirectory(), file));
      expect(shipped.equals(readFileSync(join(sharedReference, file))), file).toBe(true);
    }
  });

  it('load the MLP weights in TF.js layout and reproduce its logits', () => {
    const mlp = loadReferenceModel('mlp');
    expect(mlp.paramsTfjs['fc1.kernel']?.shape).toEqual([16, 64]);
    expect(mlp.argmax).toEqual([9, 8, 9, 8]);
    const logits = tf.tidy(() => {
      const p = (name: string) => tensorFromSpec(mlp.paramsTfjs[name] ?? { shape: [], data: NaN });
      const x = tensorFromSpec(mlp.inputs.x ?? { shape: [], data: NaN });
      const h1 = tf.relu(tf.add(tf.matMul(x, p('fc1.kernel')), p('fc1.bias')));
      const h2 = tf.relu(tf.add(tf.matMul(h1, p('fc2.kernel')), p('fc2.bias')));
      return tf.add(tf.matMul(h2, p('fc3.kernel')), p('fc3.bias'));
    });
    // float32 matmuls in a different summation order: agreement to a few ulps of the logits' scale.
    expect(logits).toBeCloseToTensor(mlp.logits, { rtol: 1e-5, atol: 1e-6 });
    logits.dispose();
  });

  it('make every CNN weight as a tensor in TF.js layout (HWIO kernels)', () => {
    const params = tensorsFromSpecs(loadReferenceModel('cnn').paramsTfjs);
    expect(Object.fromEntries(Object.entries(params).map(([name, t]) => [name, t.shape]))).toEqual({
      'conv1.kernel': [3, 3, 1, 8],
      'conv1.bias': [8],
      'conv2.kernel': [3, 3, 8, 16],
      'conv2.bias': [16],
      'fc.kernel': [16, 10],
      'fc.bias': [10],
    });
    tf.dispose(Object.values(params));
  });

  it('reproduce the CNN logits from the TF.js-layout weights and the NHWC input', () => {
    const cnn = loadReferenceModel('cnn');
    const p = tensorsFromSpecs(cnn.paramsTfjs);
    const param = (name: string): tf.Tensor => {
      const t = p[name];
      if (t === undefined) throw new Error(`cnn.json lacks ${name}`);
      return t;
    };
    const logits = tf.tidy(() => {
      const x = tensorFromSpec(cnn.inputs.x_nhwc ?? { shape: [], data: NaN }) as tf.Tensor4D;
      const conv = (input: tf.Tensor4D, name: string): tf.Tensor4D => {
        const z = tf.conv2d(input, param(`${name}.kernel`) as tf.Tensor4D, 1, 'same');
        return tf.relu(tf.add(z, param(`${name}.bias`))) as tf.Tensor4D;
      };
      const pooled = tf.maxPool(conv(x, 'conv1'), 2, 2, 'valid');
      const features = tf.mean(conv(pooled, 'conv2'), [1, 2]);
      return tf.add(tf.matMul(features as tf.Tensor2D, param('fc.kernel') as tf.Tensor2D), param('fc.bias'));
    });
    expect(logits).toBeCloseToTensor(cnn.logits, { rtol: 1e-5, atol: 1e-6 });
    const predicted = tf.argMax(logits, 1);
    expect(Array.from(predicted.dataSync())).toEqual(cnn.argmax);
    tf.dispose([logits, predicted, ...Object.values(p)]);
  });

  it('give attributions in TF.js layout: NCHW maps are transposed to NHWC', () => {
    const cnn = loadReferenceModel('cnn');
    const x = cnn.inputs.x;
    const xNhwc = cnn.inputs.x_nhwc;
    if (x === undefined || xNhwc === undefined) throw new Error('cnn.json lacks x or x_nhwc');
    expect(nchwToNhwc(x)).toEqual(xNhwc);

    const gradCam = findReferenceResult('cnn', 'layer_gradcam_conv2__logits__argmax');
    expect(gradCam.attribution.shape).toEqual([4, 1, 8, 8]);
    expect(gradCam.attributionTfjs.shape).toEqual([4, 8, 8, 1]);
    const saliency = findReferenceResult('mlp', 'saliency_raw__logits__argmax');
    expect(saliency.attributionTfjs).toBe(saliency.attribution);
  });

  it('keep the per-sample extras and the IG quadrature', () => {
    const reference = loadReferenceResults('mlp');
    const ig = findReferenceResult('mlp', 'integrated_gradients_gausslegendre__logits__argmax');
    expect(Object.keys(ig.extras).sort()).toEqual([
      'attribution_sum',
      'convergence_delta',
      'f_baseline',
      'f_x',
    ]);
    expect(ig.target).toEqual([9, 8, 9, 8]);
    const gaussLegendre = reference.igQuadrature.gausslegendre;
    expect(gaussLegendre?.alphas).toHaveLength(50);
    const weightSum = gaussLegendre?.step_sizes.reduce((sum, w) => sum + w, 0) ?? 0;
    expect(weightSum).toBeCloseTo(1, 6);
    // captum's trapezoid weights sum to 1 − 1/n, which is why its IG comes out ~2% short.
    expect(reference.igQuadrature.riemann_trapezoid?.sum_step_sizes).toBeCloseTo(0.98, 12);
  });

  it('say which ids exist when asked for an unknown one', () => {
    expect(() => findReferenceResult('mlp', 'nope')).toThrow(
      /No reference result "nope" for mlp\. Known ids: saliency_abs__logits__argmax/,
    );
  });
});
