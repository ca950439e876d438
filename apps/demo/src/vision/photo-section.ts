import * as tf from '@tensorflow/tfjs-core';
import {
  explainImages,
  imageGrid,
  imagesToTensor,
  loadModel,
  readImage,
  renderExplanation,
  visionMethodNames,
  type Explanation,
  type GridCell,
  type VisionMethodName,
} from '@tdhook/adapter-cv';
import { mobileNetV2Classes, mobileNetV2Dir, photoPaths } from '@tdhook/cv-assets';
import { model as functionalModel, type LayersModel } from '@tensorflow/tfjs-layers';

import type { ReportSection } from '../report/report-model.js';
import { compareFaithfulness } from './flipping.js';
import { fmt, type DemoContext } from './demo-context.js';
import { methodLabels, methodTitles } from './mnist-section.js';

// Kept small: every MobileNetV2 backward pass costs ~1 s per image on 2 wasm cores.
const steps = 8;
const samples = 8;

/**
 * The class logits of MobileNetV2 (its last Dense layer before the softmax): pixel flipping scores these,
 * since a softmax probability near 1 hardly moves until the evidence is nearly gone.
 */
function logitsOf(model: LayersModel): (x: tf.Tensor4D) => tf.Tensor2D {
  const dense = model.getLayer('dense_3');
  const features = functionalModel({ inputs: model.inputs, outputs: dense.input });
  // getWeights() hands out the layer's own variables: they stay with the model.
  const [kernel, bias] = dense.getWeights() as [tf.Tensor2D, tf.Tensor1D];
  return (x) => tf.tidy(() => tf.add(tf.matMul(features.predict(x) as tf.Tensor2D, kernel), bias));
}

/** MobileNetV2 (nsfwjs) on the two CC0/public-domain photos: every method, overlays and pixel flipping. */
export async function photoSection(context: DemoContext): Promise<ReportSection> {
  const loaded = await loadModel(mobileNetV2Dir());
  const model = loaded.model as LayersModel;
  const names = ['chelsea', 'astronaut'] as const;
  const photos = await Promise.all(names.map((name) => readImage(photoPaths[name])));
  const batch = imagesToTensor(photos, { size: [224, 224], normalisation: 'unit' });
  const explanations = new Map<VisionMethodName, Explanation>();
  const timings: string[][] = [];
  try {
    for (const method of visionMethodNames) {
      const { value, seconds } = await context.timed(`MobileNetV2: ${methodTitles[method]} on 2 photos`, () =>
        explainImages(model, batch, { method, steps, samples }),
      );
      explanations.set(method, value);
      timings.push([methodTitles[method], `${seconds.toFixed(2)} s`]);
    }
    const first = explanations.get('saliency') as Explanation;
    const scores = first.scores.arraySync();
    const rows: GridCell[][] = photos.map((photo, index) => [
      { image: photo, label: 'photo' },
      ...visionMethodNames.map((method) => ({
        image: renderExplanation(explanations.get(method) as Explanation, index, photo).overlay,
        label: methodLabels[method],
      })),
    ]);
    const predicted = first.target.map(
      (klass, index) => `${mobileNetV2Classes[klass] ?? klass} ${fmt(scores[index]?.[klass] ?? NaN)}`,
    );
    const figures = [
      context.png(
        'mobilenet-overlays.png',
        imageGrid(rows, {
          cellSize: 224,
          rowLabels: predicted,
          title: 'MobileNetV2: evidence for the predicted class',
        }),
        `MobileNetV2 (2.6 M parameters, from nsfwjs 4.3.0; classes ${mobileNetV2Classes.join(', ')}) on skimage's chelsea (CC0) and astronaut (public domain) photos, resized to 224×224. Each overlay shows one method's attribution for the predicted class over the photo (integrated gradients with ${steps} steps, SmoothGrad with ${samples} samples, Grad-CAM on out_relu, LRP ε+ with the softmax output as the start).`,
      ),
    ];
    const heatmapRows: GridCell[][] = photos.map((photo, index) =>
      visionMethodNames.map((method) => ({
        image: renderExplanation(explanations.get(method) as Explanation, index, photo).heatmap,
        label: methodLabels[method],
      })),
    );
    figures.push(
      context.png(
        'mobilenet-heatmaps.png',
        imageGrid(heatmapRows, { cellSize: 160, title: 'MobileNetV2: raw heatmaps (224×224)' }),
        'The same attributions as heatmaps at the model’s input resolution.',
      ),
    );
    const { value: flipping } = await context.timed(
      'MobileNetV2: region perturbation, 2 photos × 7 orders',
      () =>
        compareFaithfulness(
          'MobileNetV2 region perturbation',
          {
            predict: logitsOf(model),
            images: batch,
            target: first.target,
            patchSize: 16,
            steps: 14,
            baseline: 'mean',
            batchSize: 8,
          },
          visionMethodNames.map((method) => ({
            name: methodTitles[method],
            attribution: (explanations.get(method) as Explanation).attribution,
          })),
        ),
    );
    figures.push(flipping.figure);
    return {
      id: 'mobilenet',
      title: 'MobileNetV2 on photos (a real pretrained Layers model)',
      paragraphs: [
        'The pretrained MobileNetV2 Layers model shipped inside nsfwjs 4.3.0 (MIT), extracted from its JavaScript bundle at build time and loaded from disk with @tdhook/adapter-cv. Its classes are about content type; both photos are Neutral. The photos come from scikit-image 0.19.3 (chelsea: CC0, Stefan van der Walt; astronaut: NASA, public domain).',
        'Region perturbation: the photo is cut into 16×16 patches (14 × 14 of them); patches are replaced by the photo’s mean colour in order of decreasing relevance, 1/14 of them per step, and the explained class’s logit (before the softmax) is recorded.',
        'Read these curves with care: Neutral is this model’s “none of the other content types” class, so removing evidence does not reliably lower it (a blurred or greyed photo is still neutral), and with two photos the curves are noisy. The MNIST curves above, where removing a digit’s strokes does remove its class, are the meaningful comparison of the methods.',
      ],
      figures,
      tables: [
        flipping.table,
        { caption: 'MobileNetV2: time to explain 2 photos', header: ['method', 'time'], rows: timings },
      ],
    };
  } finally {
    for (const explanation of explanations.values()) explanation.dispose();
    batch.dispose();
    loaded.dispose();
  }
}
