import * as tf from '@tensorflow/tfjs-core';
import {
  explainImages,
  imageGrid,
  imagesToTensor,
  loadModel,
  readImage,
  visionMethodNames,
  type Explanation,
  type GridCell,
  type VisionMethodName,
} from '@tdhook/adapter-cv';
import { digitPaths, mnistCnnDir, readMnist } from '@tdhook/cv-assets';
import type { LayersModel } from '@tensorflow/tfjs-layers';

import type { ReportSection } from '../report/report-model.js';
import { compareFaithfulness } from './flipping.js';
import { fmt, type DemoContext } from './demo-context.js';
import { camPeaksBeforeRelu } from './empty-grad-cam.js';
import { heatmapCell, isZeroMap, scaledMaps, scaleNote, type ScaledMaps } from './map-cells.js';

export const methodTitles: Readonly<Record<VisionMethodName, string>> = {
  saliency: 'saliency',
  ig: 'integrated gradients',
  smoothgrad: 'SmoothGrad',
  guided: 'guided backprop',
  gradcam: 'Grad-CAM',
  lrp: 'LRP ε+',
};

/** Column labels short enough for a grid cell (at most 10 characters of the grids' bitmap font). */
export const methodLabels: Readonly<Record<VisionMethodName, string>> = {
  saliency: 'saliency',
  ig: 'IG',
  smoothgrad: 'SmoothGrad',
  guided: 'guided BP',
  gradcam: 'Grad-CAM',
  lrp: 'LRP ε+',
};

/** Column headers for grids of narrow cells (112 px at text scale 2: 9 characters a line). */
const narrowHeaders: Readonly<Record<VisionMethodName, string>> = {
  saliency: 'saliency',
  ig: 'IG',
  smoothgrad: 'Smooth-\nGrad',
  guided: 'guided\nbackprop',
  gradcam: 'Grad-CAM',
  lrp: 'LRP ε+',
};

/** "saliency 0 to 0.88; IG ±0.54; …": the value range of each column's colour bar, for captions. */
export function scaleList(scales: readonly (readonly [string, ScaledMaps])[]): string {
  return scales
    .map(([name, { legend, signed }]) => {
      const [lo, hi] = legend.range;
      return `${name} ${signed && lo === -hi ? `±${fmt(hi)}` : `${lo === 0 ? '0' : fmt(lo)} to ${fmt(hi)}`}`;
    })
    .join('; ');
}

const flipImages = 100;

/** The MNIST CNN: every method on one digit per class, and pixel flipping on 100 test digits. */
export async function mnistSection(context: DemoContext): Promise<ReportSection> {
  const loaded = await loadModel(mnistCnnDir);
  const model = loaded.model as LayersModel;
  const digits = await Promise.all(digitPaths.map((path) => readImage(path)));
  const batch = imagesToTensor(digits, { channels: 1, normalisation: 'unit' });
  const explanations = new Map<VisionMethodName, Explanation>();
  const timings: string[][] = [];
  const slice = readMnist('test', 0, flipImages);
  const flipBatch = tf.tensor4d(slice.images, [flipImages, 28, 28, 1]);
  const flipAttributions = new Map<VisionMethodName, tf.Tensor>();
  try {
    for (const method of visionMethodNames) {
      const { value, seconds } = await context.timed(`MNIST CNN: ${methodTitles[method]} on 10 digits`, () =>
        explainImages(model, batch, { method, steps: 32, samples: 16, layer: 'conv2' }),
      );
      explanations.set(method, value);
      const many = explainImages(model, flipBatch, { method, steps: 32, samples: 16, layer: 'conv2' });
      flipAttributions.set(method, tf.clone(many.attribution));
      many.dispose();
      timings.push([methodTitles[method], `${(seconds * 1000).toFixed(0)} ms`]);
    }
    const scales = visionMethodNames.map(
      (method) => [method, scaledMaps(explanations.get(method) as Explanation, digits)] as const,
    );
    const predictions = [...(explanations.get('saliency')?.target ?? [])];
    const gradCamScale = scales.find(([method]) => method === 'gradcam')?.[1];
    const emptyCams = (gradCamScale?.maps ?? []).flatMap((map, index) => (isZeroMap(map) ? [index] : []));
    const cams = camPeaksBeforeRelu(model, batch, 'conv2');
    const last = digits.length - 1;
    const rows: GridCell[][] = digits.map((digit, index) => [
      { image: digit },
      ...scales.map(([method, scaled]) =>
        heatmapCell(scaled, index, {
          ...(index === last ? { legend: scaled.legend } : {}),
          ...(method === 'gradcam' && emptyCams.includes(index) ? { note: 'empty:\nCAM < 0\nsee note' } : {}),
        }),
      ),
    ]);
    const grid = imageGrid(rows, {
      cellSize: 112,
      textScale: 2,
      title: 'MNIST CNN: evidence for the predicted digit',
      columnLabels: ['input', ...visionMethodNames.map((method) => narrowHeaders[method])],
      rowLabels: predictions.map((klass, index) => `true ${String(index)}\npred ${String(klass)}`),
      footer: `One colour scale per column, drawn as the bar at the bottom; ${scaleNote} over the column's 10 maps.`,
    });
    const emptyNote = emptyCams
      .map((index) => {
        const peak = cams.peaks[index] ?? NaN;
        return `Grad-CAM's tile for the ${String(index)} is empty, not broken. Grad-CAM weights each channel of conv2 by its gradient averaged over the image, adds the weighted channels up and keeps the positive part (a ReLU). For this ${String(index)} the weighted sum is negative at all ${cams.size} positions of conv2 (its largest value is ${fmt(peak)}), so the ReLU leaves 0 at every pixel. A gradient averaged over space is a coarse summary at a layer that pool2 and fc1 still follow; saliency, integrated gradients, guided backprop and LRP in the same row show where the evidence for this ${String(index)} lies.`;
      })
      .join(' ');
    const figures = [
      context.png(
        'mnist-methods.png',
        grid,
        `One test digit per class (rows: true digit and predicted class) and each method’s attribution for the predicted class. Signed methods (integrated gradients, guided backprop, LRP) are red where a pixel raised the class score and blue where it lowered it (white: no effect); saliency, SmoothGrad and Grad-CAM show magnitude (black: none, yellow: most). Each column has one colour scale for its ten digits, drawn as the bar under it: ${scaleNote} of that column, so a few extreme pixels do not wash out the rest (values: ${scaleList(scales.map(([method, scaled]) => [methodTitles[method], scaled]))}).`,
        emptyNote,
      ),
    ];
    const { value: flipping } = await context.timed('MNIST CNN: pixel flipping, 100 digits × 7 orders', () =>
      compareFaithfulness(
        'MNIST CNN pixel flipping',
        {
          predict: (x) => model.predict(x) as tf.Tensor2D,
          images: flipBatch,
          target: 'argmax',
          steps: 20,
          baseline: 0,
        },
        visionMethodNames.map((method) => ({
          name: methodTitles[method],
          attribution: flipAttributions.get(method) as tf.Tensor,
        })),
      ),
    );
    figures.push(flipping.figure);
    const accuracy = tf.tidy(() => {
      const scores = model.predict(flipBatch) as tf.Tensor2D;
      return tf.mean(
        tf.cast(tf.equal(tf.argMax(scores, 1), tf.tensor1d(Array.from(slice.labels), 'int32')), 'float32'),
      );
    });
    const accuracyValue = accuracy.dataSync()[0] ?? NaN;
    accuracy.dispose();
    return {
      id: 'mnist',
      title: 'MNIST CNN (trained by this repository)',
      shortTitle: 'MNIST CNN',
      paragraphs: [
        `A 14,410-parameter CNN (conv1 → pool1 → conv2 → pool2 → fc1 → logits) trained by packages/cv-assets/scripts/train-mnist.ts on 30,000 MNIST training digits; 98.4% on the 10,000 test digits (${fmt(accuracyValue * 100)}% on the 100 used below). Every method explains the predicted class's logit; Grad-CAM uses conv2.`,
        'Pixel flipping (Samek et al. 2017): pixels are set to 0 (the background) in order of decreasing relevance, 5% at a time, and the explained logit is recorded.',
      ],
      figures,
      tables: [
        flipping.table,
        {
          caption: 'MNIST CNN: time to explain 10 digits (wasm unless stated above)',
          header: ['method', 'time'],
          rows: timings,
        },
      ],
    };
  } finally {
    for (const explanation of explanations.values()) explanation.dispose();
    tf.dispose([batch, flipBatch, ...flipAttributions.values()]);
    loaded.dispose();
  }
}
