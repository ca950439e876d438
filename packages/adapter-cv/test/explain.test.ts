import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type {} from '@tdhook/testing/vitest';
import { saliency } from '@tdhook/attribution';
import { TensorDict } from '@tdhook/core';
import { digitPaths, emotionModelDir, mnistCnnDir, mobileNetV2Dir, photoPaths } from '@tdhook/cv-assets';

import {
  explainImages,
  imagesToTensor,
  loadModel,
  readImage,
  renderExplanation,
  resizeImage,
  visionMethodNames,
  type LoadedModel,
  type RgbaImage,
} from '../src/index.js';
import { useBackendPatches } from './use-backend-patches.js';

useBackendPatches();

let mnist: LoadedModel;
let digits: RgbaImage[];
let batch: tf.Tensor4D;

beforeAll(async () => {
  mnist = await loadModel(mnistCnnDir);
  digits = await Promise.all(digitPaths.slice(0, 4).map((path) => readImage(path)));
  batch = tf.keep(imagesToTensor(digits, { channels: 1, normalisation: 'unit' }));
});

afterAll(() => {
  batch.dispose();
  mnist.dispose();
});

function maxDifference(a: tf.Tensor, b: tf.Tensor): number {
  const difference = tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))));
  const value = difference.dataSync()[0] ?? NaN;
  difference.dispose();
  return value;
}

describe('explainImages on the MNIST CNN', () => {
  it.each(visionMethodNames)(
    '%s: attributions shaped like the images, for the predicted digits',
    (method) => {
      const explanation = explainImages(mnist.model, batch, { method, steps: 8, samples: 4 });
      expect(explanation.attribution.shape).toEqual(method === 'gradcam' ? [4, 28, 28, 1] : [4, 28, 28, 1]);
      expect(explanation.scores.shape).toEqual([4, 10]);
      expect(explanation.target).toEqual([0, 1, 2, 3]);
      if (method === 'gradcam') expect(explanation.layer).toBe('pool2'); // the last feature map
      const finite = tf.tidy(() => tf.all(tf.isFinite(explanation.attribution)));
      expect(finite.dataSync()[0]).toBe(1);
      finite.dispose();
      explanation.dispose();
    },
  );

  it('saliency equals |∂ logit / ∂ x| computed with tf.grad', () => {
    const explanation = explainImages(mnist.model, batch, { method: 'saliency', target: 5 });
    const model = mnist.model as LayersModel;
    const expected = tf.tidy(() =>
      tf.abs(
        tf.grad((x: tf.Tensor) => tf.sum(tf.slice(model.apply(x) as tf.Tensor, [0, 5], [-1, 1])))(batch),
      ),
    );
    expect(explanation.target).toEqual([5, 5, 5, 5]);
    expect(maxDifference(explanation.attribution, expected)).toBeLessThan(1e-7);
    tf.dispose(expected);
    explanation.dispose();
  });

  it('takes one target per image, and equals the attribution method called directly', () => {
    const explanation = explainImages(mnist.model, batch, { method: 'saliency', target: [3, 2, 1, 0] });
    using prepared = saliency({ target: { select: [3, 2, 1, 0] }, absolute: true }).prepare(mnist.model);
    using data = new TensorDict({ input: tf.clone(batch) }, { batchShape: [4] });
    using result = prepared.run(data);
    expect(explanation.target).toEqual([3, 2, 1, 0]);
    expect(maxDifference(explanation.attribution, result.getTensor(['attr', 'input']))).toBe(0);
    explanation.dispose();
  });

  it('renders a heatmap at the model’s resolution and an overlay at the photo’s', async () => {
    const explanation = explainImages(mnist.model, batch, { method: 'ig', steps: 8 });
    const photo = await readImage(photoPaths.chelsea);
    const pictures = renderExplanation(explanation, 1, photo);
    expect([pictures.heatmap.width, pictures.heatmap.height]).toEqual([28, 28]);
    expect([pictures.overlay.width, pictures.overlay.height]).toEqual([451, 300]);
    expect(pictures.heatmap.signed).toBe(true);
    expect(pictures.map).toHaveLength(28 * 28);
    explanation.dispose();
  });

  it('refuses LRP on a Graph model, and an unknown method, with typed errors', async () => {
    const emotion = await loadModel(emotionModelDir());
    const face = tf.zeros<tf.Rank.R4>([1, 64, 64, 1]);
    expect(() => explainImages(emotion.model, face, { method: 'lrp' })).toThrowTdhookError(
      'E_CV_GRAPH',
      /LRP rules/,
    );
    expect(() => explainImages(mnist.model, batch, { method: 'occlusion' as 'lrp' })).toThrowTdhookError(
      'E_CV_MODEL',
      /Unknown method/,
    );
    face.dispose();
    emotion.dispose();
  });
});

// MobileNetV2 gradients cost seconds per image on cpu; the wasm project checks them.
describe.skipIf(inject('tdhookBackend') === 'cpu')('Grad-CAM on MobileNetV2 finds the cat', () => {
  it('puts most of its mass on the cat’s face', async () => {
    const loaded = await loadModel(mobileNetV2Dir());
    const photo = await readImage(photoPaths.chelsea); // 451 × 300
    const input = imagesToTensor([photo], { size: [224, 224], normalisation: 'unit' });
    const explanation = explainImages(loaded.model, input, { method: 'gradcam' });
    expect(explanation.layer).toBe('out_relu');
    expect(explanation.target).toEqual([2]); // Neutral
    // The map back on the photo: resize the 224×224 map to 451×300, as the overlay does.
    const map = Array.from(explanation.attribution.dataSync());
    const mapImage: RgbaImage = { width: 224, height: 224, data: new Uint8Array(224 * 224 * 4) };
    const top = Math.max(...map);
    map.forEach((value, index) => {
      mapImage.data.set([Math.round((255 * Math.max(0, value)) / top), 0, 0, 255], index * 4);
    });
    const onPhoto = resizeImage(mapImage, photo.width, photo.height, 'bilinear');
    let total = 0;
    for (let p = 0; p < photo.width * photo.height; p++) total += onPhoto.data[p * 4] ?? 0;
    const share = (box: {
      left: number;
      right: number;
      top: number;
      bottom: number;
    }): { mass: number; area: number } => {
      let inside = 0;
      for (let y = box.top; y < box.bottom; y++) {
        for (let x = box.left; x < box.right; x++) inside += onPhoto.data[(y * photo.width + x) * 4] ?? 0;
      }
      return {
        mass: inside / total,
        area: ((box.right - box.left) * (box.bottom - box.top)) / (photo.width * photo.height),
      };
    };
    // Boxes looked up on the photo. The cat's head fills most of the frame (everything but the background at
    // the sides); its eyes and nose are the centre of the face. Measured on wasm: 0.890 of the positive mass
    // in the head box (75% of the photo), 0.439 in the eyes-and-nose box (19% of the photo: 2.4x its share).
    const head = share({ left: 60, right: 400, top: 0, bottom: 300 });
    const eyesAndNose = share({ left: 120, right: 300, top: 60, bottom: 200 });
    expect(head.mass).toBeGreaterThan(0.85);
    expect(eyesAndNose.mass / eyesAndNose.area).toBeGreaterThan(2);
    explanation.dispose();
    input.dispose();
    loaded.dispose();
  });
});
