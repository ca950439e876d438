import * as tf from '@tensorflow/tfjs-core';
import {
  explainImages,
  imageGrid,
  imagesToTensor,
  loadModel,
  readImage,
  resizeImage,
  visionMethodNames,
  type Explanation,
  type GridCell,
  type RgbaImage,
  type VisionMethodName,
} from '@tdhook/adapter-cv';
import { mobileNetV2Classes, mobileNetV2Dir, photoPaths } from '@tdhook/cv-assets';
import { model as functionalModel, type LayersModel } from '@tensorflow/tfjs-layers';

import type { ReportSection } from '../report/report-model.js';
import { compareFaithfulness } from './flipping.js';
import { fmt, type DemoContext } from './demo-context.js';
import { heatmapCell, overlayCell, scaledMaps, scaleNote } from './map-cells.js';
import { methodLabels, methodTitles } from './mnist-section.js';

// Kept small: every MobileNetV2 backward pass costs ~1 s per image on 2 wasm cores.
const steps = 8;
const samples = 8;
const cellSize = 224;

/** `photo` shrunk to fit a grid cell: overlays drawn at the size they are shown keep their fine detail. */
function fitCell(photo: RgbaImage): RgbaImage {
  const scale = Math.min(1, cellSize / Math.max(photo.width, photo.height));
  return resizeImage(photo, Math.round(photo.width * scale), Math.round(photo.height * scale), 'area');
}

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
    const predicted = first.target.map(
      (klass, index) => `${mobileNetV2Classes[klass] ?? klass} ${fmt(scores[index]?.[klass] ?? NaN)}`,
    );
    const shrunk = photos.map(fitCell);
    // Rows: the inputs, then one row per method; two columns per photo (overlay, map at 224×224), each
    // photo's map on its own scale, drawn as the bar under the map.
    const inputRow: GridCell[] = photos.flatMap((photo, index) => [
      { image: shrunk[index] as RgbaImage, label: `predicted:\n${predicted[index] ?? ''}` },
      { image: resizeImage(photo, 224, 224, 'bilinear'), label: 'model input' },
    ]);
    const methodRows: GridCell[][] = visionMethodNames.map((method) =>
      photos.flatMap((_, index) => {
        const scaled = scaledMaps(explanations.get(method) as Explanation, photos, [index]);
        return [
          overlayCell(scaled, 0, shrunk[index] as RgbaImage),
          heatmapCell(scaled, 0, { legend: scaled.legend }),
        ];
      }),
    );
    const figures = [
      context.png(
        'mobilenet-methods.png',
        imageGrid([inputRow, ...methodRows], {
          cellSize,
          textScale: 2,
          title: 'MobileNetV2 (nsfwjs content-type classifier): evidence for the predicted class',
          columnLabels: names.flatMap((name) => [`${name}, overlay`, `${name}, 224×224`]),
          rowLabels: ['input', ...visionMethodNames.map((method) => methodLabels[method])],
          footer: `Each map has its own scale (bar under it, shared by the overlay beside it); ${scaleNote}.`,
        }),
        `MobileNetV2 (2.6 M parameters, from nsfwjs 4.3.0: classes ${mobileNetV2Classes.join(', ')}) on skimage's chelsea (CC0) and astronaut (public domain) photos. The model sees each photo stretched to 224×224 (top row, right of each photo); each method's map is computed at that size and shown as a heatmap, and as an overlay on the photo. Signed methods (integrated gradients, guided backprop, LRP: red for, blue against the class) are overlaid on a light grey copy of the photo so that their fine red and blue detail stays visible; magnitude methods (saliency, SmoothGrad, Grad-CAM) on the colour photo. For each map, ${scaleNote}: a few extreme pixels would otherwise leave the rest nearly invisible. Integrated gradients with ${steps} steps, SmoothGrad with ${samples} samples, Grad-CAM on out_relu, LRP ε+ starting from the softmax output.`,
      ),
    ];
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
      title: 'MobileNetV2 on photos: a content-type classifier (a real pretrained Layers model)',
      shortTitle: 'MobileNetV2',
      paragraphs: [
        `This MobileNetV2 is not an ImageNet classifier: it is the content-type classifier of nsfwjs 4.3.0 (MIT), with five classes: ${mobileNetV2Classes.join(', ')}. It cannot say "cat" or "astronaut"; both photos are, rightly, Neutral (ordinary photos), so the maps below show what made the model call each photo Neutral. It is here as a real pretrained Layers model of useful size: its weights are extracted from the nsfwjs JavaScript bundle at build time and loaded from disk with @tdhook/adapter-cv. The photos come from scikit-image 0.19.3 (chelsea: CC0, Stefan van der Walt; astronaut: NASA, public domain).`,
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
