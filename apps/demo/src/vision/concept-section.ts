import * as tf from '@tensorflow/tfjs-core';
import {
  explainImages,
  imageGrid,
  imagesToTensor,
  loadModel,
  readImage,
  type GridCell,
} from '@tdhook/adapter-cv';
import { conceptChannelGradient, lrp, relMax } from '@tdhook/attribution';
import { TensorDict } from '@tdhook/core';
import { digitPaths, mnistCnnDir, readMnist } from '@tdhook/cv-assets';
import type { LayersModel } from '@tensorflow/tfjs-layers';

import type { ReportSection } from '../report/report-model.js';
import { compareFaithfulness } from './flipping.js';
import { fmt, type DemoContext } from './demo-context.js';
import { heatmapCell, scaledMaps, scaleNote } from './map-cells.js';

// The concept: digits drawn with a closed loop. Labels come from the digit class, as a user would label.
const loopDigits = new Set([0, 6, 8, 9]);
const layer = 'conv2';
const sampleCount = 300;

/**
 * The paper's vision pipeline (CRP): LRP relevance at conv2 for 300 test digits, RelMax picks the channel
 * that carries the most relevance for loop digits compared with the others, and LRP conditioned on that
 * channel shows where in each digit the concept is found.
 */
export async function conceptSection(context: DemoContext): Promise<ReportSection> {
  const loaded = await loadModel(mnistCnnDir);
  const model = loaded.model as LayersModel;
  const slice = readMnist('test', 100, sampleCount);
  const labels = Array.from(slice.labels, (digit) => (loopDigits.has(digit) ? 1 : 0));
  const images = tf.tensor4d(slice.images, [sampleCount, 28, 28, 1]);
  const shownDigits = [0, 6, 8, 9, 1, 7];
  const shown = await Promise.all(shownDigits.map((digit) => readImage(digitPaths[digit] as string)));
  const shownBatch = imagesToTensor(shown, { channels: 1, normalisation: 'unit' });
  const owned: { dispose(): void }[] = [];
  try {
    const { value: selection } = await context.timed(
      `concepts: LRP relevance at ${layer} for ${sampleCount} digits, RelMax`,
      () => {
        using prepared = lrp({
          composite: 'epsilonPlus',
          target: { select: 'argmax' },
          modules: [layer],
          inputs: [],
          warnOnMissingRule: false,
        }).prepare(model);
        using data = new TensorDict({ input: images.clone() }, { batchShape: [sampleCount] });
        using result = prepared.run(data);
        return relMax(result.getTensor(['attr', layer]), labels);
      },
    );
    const ranked = Array.from(selection.scores, (score, channel) => ({ channel, score })).sort(
      (a, b) => b.score - a.score,
    );
    const [best, second] = ranked as unknown as [{ channel: number }, { channel: number }];
    const plain = explainImages(model, shownBatch, { method: 'lrp' });
    owned.push(plain);
    const conditioned = [best.channel, second.channel].map((channel) => {
      const explanation = explainImages(model, shownBatch, {
        method: 'lrp',
        outputGradients: { [layer]: conceptChannelGradient({ channel }) },
      });
      owned.push(explanation);
      return explanation;
    });
    const channels = [best.channel, second.channel];
    const scales = [plain, ...conditioned].map((explanation) => scaledMaps(explanation, shown));
    const last = shown.length - 1;
    const rows: GridCell[][] = shown.map((digit, index) => [
      { image: digit },
      ...scales.map((scaled) => heatmapCell(scaled, index, index === last ? { legend: scaled.legend } : {})),
    ]);
    const figures = [
      context.png(
        'concept-lrp.png',
        imageGrid(rows, {
          cellSize: 140,
          textScale: 2,
          title: 'Concept "closed loop": LRP through one channel',
          columnLabels: ['digit', 'LRP ε+', ...channels.map((channel) => `channel ${String(channel)}`)],
          rowLabels: shownDigits.map(
            (digit) => `${String(digit)}: ${loopDigits.has(digit) ? 'loop' : 'no loop'}`,
          ),
          footer: `One colour scale per column, drawn as the bar at the bottom; ${scaleNote} over the column's 6 maps.`,
        }),
        `LRP ε+ for the predicted digit (second column), and the same relevance restricted at ${layer} to the channel RelMax ranks first (${best.channel}) and second (${second.channel}) for the concept "drawn with a closed loop" (0, 6, 8, 9 against 1, 2, 3, 4, 5, 7). Red: relevance for the digit, blue: against it; each column has one scale for its six digits, drawn as the bar under it (${scaleNote}). The conditioned maps show which strokes that channel responds to.`,
      ),
    ];
    // Pixel flipping of the conditioned maps on the loop digits of the sample: how much of the class score
    // the concept channel's evidence carries.
    const loopIndexes = labels.flatMap((label, index) => (label === 1 ? [index] : []));
    const loopImages = tf.gather<tf.Tensor4D>(images, loopIndexes);
    owned.push(loopImages);
    const loopPlain = explainImages(model, loopImages, { method: 'lrp' });
    const loopConditioned = explainImages(model, loopImages, {
      method: 'lrp',
      outputGradients: { [layer]: conceptChannelGradient({ channel: best.channel }) },
    });
    owned.push(loopPlain, loopConditioned);
    const { value: flipping } = await context.timed(
      `concepts: pixel flipping on ${loopIndexes.length} loop digits`,
      () =>
        compareFaithfulness(
          'Concept-conditioned LRP, pixel flipping',
          {
            predict: (x) => model.predict(x) as tf.Tensor2D,
            images: loopImages,
            target: loopPlain.target,
            steps: 20,
            baseline: 0,
          },
          [
            { name: 'LRP ε+', attribution: loopPlain.attribution },
            { name: `LRP ε+ | ${layer} channel ${best.channel}`, attribution: loopConditioned.attribution },
          ],
        ),
    );
    figures.push(flipping.figure);
    return {
      id: 'concepts',
      title: 'Concept-conditioned LRP (CRP with RelMax)',
      shortTitle: 'concepts',
      paragraphs: [
        `RelMax (Achtibat et al. 2023, as tdhook's ConceptSelection): LRP ε+ relevance of the predicted class is read at ${layer} for ${sampleCount} test digits; per channel, the signed relevance is summed over space and its magnitude averaged over the concept's digits (${loopIndexes.length}) and over the others (${sampleCount - loopIndexes.length}); the channel with the largest difference is the concept's.`,
        `Conditioned LRP then lets only that channel's relevance through at ${layer} (a backward-pre hook, outputGradients in @tdhook/attribution) and propagates it to the pixels with the same rules.`,
      ],
      figures,
      tables: [
        {
          caption: `RelMax: the five ${layer} channels that best separate loop digits (mean |relevance| per sample)`,
          header: ['channel', 'score', 'mean, loop digits', 'mean, others'],
          rows: ranked
            .slice(0, 5)
            .map(({ channel, score }) => [
              String(channel),
              fmt(score),
              fmt(selection.positiveMean[channel] ?? NaN),
              fmt(selection.negativeMean[channel] ?? NaN),
            ]),
        },
        flipping.table,
      ],
    };
  } finally {
    for (const item of owned) item.dispose();
    tf.dispose([images, shownBatch]);
    loaded.dispose();
  }
}
