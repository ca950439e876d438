import type * as tf from '@tensorflow/tfjs-core';
import {
  linePlotSvg,
  pixelFlipping,
  randomAttribution,
  type PixelFlippingOptions,
  type PixelFlippingResult,
  type PlotSeries,
} from '@tdhook/adapter-cv';

import type { Figure, Table } from '../report/report-model.js';
import { fmt } from './demo-context.js';

/** One method's attributions to score. */
export interface ScoredAttribution {
  readonly name: string;
  readonly attribution: tf.Tensor;
}

/** Pixel-flipping curves for several methods plus the random order, as a chart and a table. */
export async function compareFaithfulness(
  title: string,
  common: Omit<PixelFlippingOptions, 'attributions' | 'order'>,
  methods: readonly ScoredAttribution[],
): Promise<{ figure: Figure; table: Table; results: Map<string, PixelFlippingResult> }> {
  const results = new Map<string, PixelFlippingResult>();
  for (const method of methods) {
    results.set(
      method.name,
      await pixelFlipping({ ...common, attributions: method.attribution, order: 'morf' }),
    );
  }
  const random = randomAttribution(common.images.shape, 7);
  try {
    results.set('random order', await pixelFlipping({ ...common, attributions: random, order: 'morf' }));
  } finally {
    random.dispose();
  }
  const series: PlotSeries[] = [...results].map(([label, result]) => ({
    label,
    x: result.fractions,
    y: result.mean,
    ...(label === 'random order' ? { color: '#7f7f7f' } : {}),
  }));
  const patch = common.patchSize ?? 1;
  const figure: Figure = {
    kind: 'svg',
    svg: linePlotSvg(series, {
      title,
      xLabel:
        patch === 1
          ? 'fraction of pixels flipped (most relevant first)'
          : `fraction of ${patch}×${patch} patches replaced (most relevant first)`,
      yLabel: 'score of the explained class',
      width: 640,
      height: 360,
    }),
    caption: `${title}: mean score of the explained class as the most relevant ${patch === 1 ? 'pixels are' : 'patches are'} replaced. A faithful attribution makes the score fall fast (low area under the curve, high AOPC); the grey curve replaces them in random order.`,
  };
  const table: Table = {
    caption: `${title}: area under the curve (AUC, lower is better) and area over the perturbation curve (AOPC, higher is better), mean over images`,
    header: ['attribution', 'AUC', 'AOPC', 'AOPC / random'],
    rows: [...results].map(([label, result]) => [
      label,
      fmt(result.meanAuc),
      fmt(result.meanAopc),
      fmt(result.meanAopc / (results.get('random order')?.meanAopc ?? NaN)),
    ]),
  };
  return { figure, table, results };
}
