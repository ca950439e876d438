import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, inject, it } from 'vitest';
import type {} from '@tdhook/testing/vitest';
import { registerHook, TensorDict, type MethodLike } from '@tdhook/core';
import { guidedBackprop, integratedGradients, lrp, noiseTunnel, saliency } from '@tdhook/attribution';
import {
  digitPaths,
  emotionModelDir,
  mobileNetV2Classes,
  mobileNetV2Dir,
  photoPaths,
} from '@tdhook/cv-assets';

import {
  createImage,
  explainImages,
  loadModel,
  readImage,
  readImageBatch,
  renderExplanation,
  visionMethodNames,
  type Explanation,
  type GraphModule,
  type VisionMethodName,
} from '../src/index.js';
import { maxDifference } from './max-difference.js';
import { useMnistDigits } from './mnist-digits.js';
import { useBackendPatches } from './use-backend-patches.js';

useBackendPatches();

const backend = inject('tdhookBackend');
const mnist = useMnistDigits();
const labels = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];

function maxAbs(a: tf.Tensor): number {
  const extreme = tf.tidy(() => tf.max(tf.abs(a)));
  const value = extreme.dataSync()[0] ?? NaN;
  extreme.dispose();
  return value;
}

/** `|∂ logits[n, targets[n]] / ∂ x|`, row by row (rows do not interact), straight through tf.grad. */
function absoluteGradient(x: tf.Tensor4D, targets: readonly number[]): tf.Tensor {
  return tf.tidy(() => {
    const mask = tf.oneHot(tf.tensor1d([...targets], 'int32'), 10);
    const gradient = tf.grad((input: tf.Tensor) =>
      tf.sum(tf.mul(mnist.model.predict(input) as tf.Tensor, mask)),
    )(x);
    return tf.abs(gradient);
  });
}

/** What a method puts under `['attr', key]` when run directly on the digits. */
function runDirectly(method: MethodLike, key = 'input'): tf.Tensor {
  using prepared = method.prepare(mnist.model);
  using data = new TensorDict({ input: tf.clone(mnist.digits) }, { batchShape: [10] });
  using result = prepared.run(data);
  return tf.clone(result.getTensor(['attr', key]));
}

describe('explainImages on the MNIST CNN', () => {
  it('runs every method: attributions shaped like the images, scores, target = argmax', () => {
    const predicted = tf.tidy(() => tf.argMax(mnist.model.predict(mnist.digits) as tf.Tensor, 1));
    expect(Array.from(predicted.dataSync())).toEqual(labels);
    predicted.dispose();
    for (const method of visionMethodNames) {
      const explanation = explainImages(mnist.model, mnist.digits, { method, steps: 8, samples: 4 });
      expect(explanation.method).toBe(method);
      expect(explanation.attribution.shape).toEqual([10, 28, 28, 1]);
      expect(explanation.scores.shape).toEqual([10, 10]);
      expect(explanation.target).toEqual(labels);
      expect(explanation.layer).toBe(method === 'gradcam' ? 'pool2' : undefined);
      expect(maxAbs(explanation.attribution)).toBeGreaterThan(0);
      const finite = tf.tidy(() => tf.all(tf.isFinite(explanation.attribution)));
      expect(finite.dataSync()[0]).toBe(1);
      finite.dispose();
      explanation.dispose();
    }
  });

  it('saliency is |∂ logit / ∂ x| exactly', () => {
    const explanation = explainImages(mnist.model, mnist.digits, { method: 'saliency' });
    const expected = absoluteGradient(mnist.digits, labels);
    // Measured: 0 on wasm and cpu.
    expect(maxDifference(explanation.attribution, expected)).toBe(0);
    // The scores are the logits of the method's recorded pass. Measured: equal to model.predict's on cpu;
    // on wasm they differ by up to 2.6e-6 (float rounding; the logits are of order 10).
    const logits = mnist.model.predict(mnist.digits) as tf.Tensor;
    expect(maxDifference(explanation.scores, logits)).toBeLessThan(1e-5);
    tf.dispose([expected, logits]);
    explanation.dispose();
  });

  it('integrated gradients equal the method called directly, and are complete: Σ attr ≈ f(x) − f(0)', () => {
    const explanation = explainImages(mnist.model, mnist.digits, { method: 'ig', steps: 32 });
    const direct = runDirectly(
      integratedGradients({
        target: { select: 'argmax' },
        steps: 32,
        baselines: 0,
        multiplyByInputs: true,
        chunkSize: 256,
      }),
    );
    expect(maxDifference(explanation.attribution, direct)).toBe(0);
    const gap = tf.tidy(() => {
      const mask = tf.oneHot(tf.tensor1d(labels, 'int32'), 10);
      const score = (x: tf.Tensor): tf.Tensor => tf.sum(tf.mul(mnist.model.predict(x) as tf.Tensor, mask), 1);
      const difference = tf.sub(score(mnist.digits), score(tf.zerosLike(mnist.digits)));
      const total = tf.sum(explanation.attribution, [1, 2, 3]);
      return tf.max(tf.div(tf.abs(tf.sub(total, difference)), tf.abs(difference)));
    });
    // Measured: a relative completeness error of 1.14 % at most over the ten digits (32 Gauss–Legendre
    // steps; the ReLU network is only piecewise smooth), the same on wasm and cpu.
    expect(gap.dataSync()[0]).toBeLessThan(0.02);
    tf.dispose([gap, direct]);
    explanation.dispose();
  });

  it('SmoothGrad, guided backprop and LRP equal the methods called directly', () => {
    const range = tf.tidy(() => tf.sub(tf.max(mnist.digits), tf.min(mnist.digits)));
    const stdev = 0.15 * (range.dataSync()[0] ?? 0);
    range.dispose();
    const target = { select: 'argmax' as const };
    const cases: [VisionMethodName, MethodLike][] = [
      [
        'smoothgrad',
        // No samples: the adapter leaves the default to the noise tunnel's configure.
        noiseTunnel(saliency({ target, absolute: true }), {
          stdev,
          seed: 1,
          samplesPerPass: 25,
        }),
      ],
      ['guided', guidedBackprop({ target, chunkSize: 256 })],
      ['lrp', lrp({ target, composite: 'epsilonPlus', warnOnMissingRule: false, chunkSize: 256 })],
    ];
    for (const [method, direct] of cases) {
      const explanation = explainImages(mnist.model, mnist.digits, { method });
      const expected = runDirectly(direct);
      expect(maxDifference(explanation.attribution, expected), method).toBe(0);
      tf.dispose(expected);
      explanation.dispose();
    }
    // SmoothGrad is reproducible: the default seed (1) is a seed for TF.js (0 would draw a random one).
    const first = explainImages(mnist.model, mnist.digits, { method: 'smoothgrad', samples: 4 });
    const again = explainImages(mnist.model, mnist.digits, { method: 'smoothgrad', samples: 4 });
    expect(maxDifference(first.attribution, again.attribution)).toBe(0);
    first.dispose();
    again.dispose();
    // SmoothGrad is not saliency: the noise changes the map.
    const smooth = explainImages(mnist.model, mnist.digits, { method: 'smoothgrad', samples: 4 });
    const plain = explainImages(mnist.model, mnist.digits, { method: 'saliency' });
    expect(maxDifference(smooth.attribution, plain.attribution)).toBeGreaterThan(1e-3);
    smooth.dispose();
    plain.dispose();
  });

  it('Grad-CAM at pool2 is relu(Σ_k mean(∂y/∂A_k)·A_k), upsampled bilinearly to 28×28', () => {
    const explanation = explainImages(mnist.model, mnist.digits, { method: 'gradcam' });
    // A at pool2 by a capture, ∂y/∂A by replacing pool2's output with A and differentiating through the rest.
    let activation: tf.Tensor | undefined;
    const capture = registerHook(mnist.model, 'pool2', 'forward', (output) => {
      activation = tf.keep(tf.clone(output as tf.Tensor));
      return undefined;
    });
    tf.dispose(mnist.model.predict(mnist.digits));
    capture.remove();
    const a = activation as tf.Tensor4D;
    const expected = tf.tidy(() => {
      const mask = tf.oneHot(tf.tensor1d(labels, 'int32'), 10);
      const gradient = tf.grad((replacement: tf.Tensor) => {
        // A clone: the Layers executor disposes a layer's output once the next layer has read it.
        const replace = registerHook(mnist.model, 'pool2', 'forward', () => tf.clone(replacement));
        try {
          return tf.sum(tf.mul(mnist.model.predict(mnist.digits) as tf.Tensor, mask));
        } finally {
          replace.remove();
        }
      })(a);
      const cam = tf.relu(tf.sum(tf.mul(tf.mean(gradient, [1, 2], true), a), 3, true)) as tf.Tensor4D;
      return tf.image.resizeBilinear(cam, [28, 28], false, true);
    });
    // Measured: 0 on cpu, 1.8e-7 on wasm (the map's maximum is 0.90).
    expect(maxDifference(explanation.attribution, expected)).toBeLessThan(1e-6);
    expect(maxAbs(expected)).toBeGreaterThan(0.1);
    tf.dispose([a, expected]);
    // Another layer by name: conv2, also upsampled to the input.
    const atConv2 = explainImages(mnist.model, mnist.digits, { method: 'gradcam', layer: 'conv2' });
    expect(atConv2.layer).toBe('conv2');
    expect(atConv2.attribution.shape).toEqual([10, 28, 28, 1]);
    atConv2.dispose();
    explanation.dispose();
  });

  it('explains one class for all images, or one class per image', () => {
    const three = explainImages(mnist.model, mnist.digits, { method: 'saliency', target: 3 });
    expect(three.target).toEqual(new Array(10).fill(3));
    const expectedThree = absoluteGradient(mnist.digits, new Array<number>(10).fill(3));
    expect(maxDifference(three.attribution, expectedThree)).toBe(0);
    const reversed = [...labels].reverse();
    const perImage = explainImages(mnist.model, mnist.digits, { method: 'saliency', target: reversed });
    expect(perImage.target).toEqual(reversed);
    const expectedPerImage = absoluteGradient(mnist.digits, reversed);
    expect(maxDifference(perImage.attribution, expectedPerImage)).toBe(0);
    // Not the argmax maps.
    const argmax = absoluteGradient(mnist.digits, labels);
    expect(maxDifference(perImage.attribution, argmax)).toBeGreaterThan(1e-3);
    tf.dispose([expectedThree, expectedPerImage, argmax]);
    three.dispose();
    perImage.dispose();
  });

  it('leaves the model as it was: same predictions, no hooks left', () => {
    const before = mnist.model.predict(mnist.digits) as tf.Tensor;
    for (const method of visionMethodNames)
      explainImages(mnist.model, mnist.digits, { method, steps: 4, samples: 2 }).dispose();
    const after = mnist.model.predict(mnist.digits) as tf.Tensor;
    expect(maxDifference(before, after)).toBe(0);
    tf.dispose([before, after]);
  });

  it('names unknown methods (E_CV_METHOD) and layers (E_UNKNOWN_PATH)', () => {
    expect(() => explainImages(mnist.model, mnist.digits, { method: 'occlusion' })).toThrowTdhookError(
      'E_CV_METHOD',
      /No method 'occlusion' is registered.*saliency, ig, smoothgrad, guided, gradcam, lrp/,
    );
    expect(() =>
      explainImages(mnist.model, mnist.digits, { method: 'gradcam', layer: 'conv9' }),
    ).toThrowTdhookError('E_UNKNOWN_PATH');
  });
});

describe('explainImages on the emotion Graph model', () => {
  it('refuses LRP (rules exist for layers, not graph ops) with E_CV_GRAPH, and runs Grad-CAM', async () => {
    const loaded = await loadModel(emotionModelDir());
    const graph = loaded.model as GraphModule;
    const faces = await readImageBatch([photoPaths.astronaut], {
      size: [64, 64],
      channels: 1,
      normalisation: 'symmetric',
    });
    expect(() => explainImages(graph, faces, { method: 'lrp' })).toThrowTdhookError(
      'E_CV_GRAPH',
      /LRP rules/,
    );
    const explanation = explainImages(graph, faces, { method: 'gradcam' });
    expect(explanation.layer).toBe('<StatefulPartitionedCall/model_1/conv2d_5/BiasAdd>');
    expect(explanation.attribution.shape).toEqual([1, 64, 64, 1]);
    expect(explanation.scores.shape).toEqual([1, 7]);
    explanation.dispose();
    faces.dispose();
    loaded.dispose();
  });
});

describe('renderExplanation', () => {
  it('draws the heatmap at the model’s resolution and the overlay at the original’s', async () => {
    const explanations: Explanation[] = [
      explainImages(mnist.model, mnist.digits, { method: 'saliency' }),
      explainImages(mnist.model, mnist.digits, { method: 'ig', steps: 8 }),
      explainImages(mnist.model, mnist.digits, { method: 'gradcam' }),
    ];
    const digit = await readImage(digitPaths[7] as string);
    const large = createImage(84, 56);
    for (const explanation of explanations) {
      const rendered = renderExplanation(explanation, 7, digit);
      expect([rendered.heatmap.width, rendered.heatmap.height]).toEqual([28, 28]);
      expect([rendered.overlay.width, rendered.overlay.height]).toEqual([28, 28]);
      expect(rendered.map).toHaveLength(28 * 28);
      // Signed methods get a range symmetric around 0, magnitude methods one from 0.
      expect(rendered.heatmap.signed).toBe(explanation.method === 'ig');
      if (rendered.heatmap.signed) expect(rendered.heatmap.range[0]).toBe(-rendered.heatmap.range[1]);
      else expect(rendered.heatmap.range[0]).toBe(0);
      const onLarge = renderExplanation(explanation, 0, large);
      expect([onLarge.overlay.width, onLarge.overlay.height]).toEqual([84, 56]);
      expect(onLarge.overlay.data).toHaveLength(84 * 56 * 4);
      explanation.dispose();
    }
  });
});

// MobileNetV2 gradients take ~0.3 s (Grad-CAM) to ~1 s (saliency) per image on wasm, far longer on cpu.
describe.skipIf(backend === 'cpu')('Grad-CAM on MobileNetV2 (wasm)', () => {
  it('puts the Neutral class’s evidence on the cat’s head in chelsea.png', async () => {
    const loaded = await loadModel(mobileNetV2Dir());
    const photo = await readImage(photoPaths.chelsea);
    expect([photo.width, photo.height]).toEqual([451, 300]);
    const input = await readImageBatch([photoPaths.chelsea], { size: [224, 224], normalisation: 'unit' });
    // The default layer is the last feature map, out_relu (7×7×1280); the default target the predicted class.
    const explanation = explainImages(loaded.model, input, { method: 'gradcam' });
    expect(explanation.layer).toBe('out_relu');
    expect(mobileNetV2Classes[explanation.target[0] as number]).toBe('Neutral');
    expect(explanation.attribution.shape).toEqual([1, 224, 224, 1]);
    // The map, resized onto the photo (the input was the whole photo stretched to 224×224).
    const onPhoto = tf.tidy(() => tf.image.resizeBilinear(explanation.attribution, [300, 451], false, true));
    const values = onPhoto.dataSync();
    onPhoto.dispose();
    const massIn = ([x0, y0, x1, y1]: readonly [number, number, number, number]): number => {
      let inside = 0;
      let total = 0;
      for (let y = 0; y < 300; y++) {
        for (let x = 0; x < 451; x++) {
          const value = Math.max(0, values[y * 451 + x] ?? 0);
          total += value;
          if (x >= x0 && x < x1 && y >= y0 && y < y1) inside += value;
        }
      }
      return inside / total;
    };
    const areaOf = ([x0, y0, x1, y1]: readonly [number, number, number, number]): number =>
      ((x1 - x0) * (y1 - y0)) / (451 * 300);
    // The head fills most of the photo: ears at the top left and right, chin at the bottom edge; outside
    // it lie the room (right) and the chest fur (bottom-left corner). Box x 30–400, y 0–300.
    const head = [30, 0, 400, 300] as const;
    // The upper face, eyes and forehead: x 40–360, y 0–200.
    const upperFace = [40, 0, 360, 200] as const;
    // The eyes and the nose: x 120–300, y 60–200.
    const eyesAndNose = [120, 60, 300, 200] as const;
    // Measured on wasm: the head box covers 82.0 % of the photo and holds 94.9 % of the positive Grad-CAM
    // mass (the 18 % outside holds 5.1 %); the upper-face box covers 47.3 % and holds 77.6 % (the map peaks
    // on the left eye and the forehead above it); the eyes-and-nose box covers 18.6 % and holds 43.9 %.
    expect(areaOf(head)).toBeCloseTo(0.82, 2);
    expect(massIn(head)).toBeGreaterThan(0.9);
    expect(areaOf(upperFace)).toBeLessThan(0.5);
    expect(massIn(upperFace)).toBeGreaterThan(0.7);
    expect(massIn(eyesAndNose) / areaOf(eyesAndNose)).toBeGreaterThan(2);
    // The overlay is drawn on the photo at its own size; the heatmap at the model's.
    const rendered = renderExplanation(explanation, 0, photo);
    expect([rendered.overlay.width, rendered.overlay.height]).toEqual([451, 300]);
    expect([rendered.heatmap.width, rendered.heatmap.height]).toEqual([224, 224]);
    explanation.dispose();
    input.dispose();
    loaded.dispose();
  });
});
