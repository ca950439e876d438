// Activation patching of the IOI model from clean into corrupted prompts, and its two cheap estimates: AtP
// (activation difference times the metric's gradient) and RelP (the same with the LRP relevance of the
// transformer rules). Each grid is averaged over the prompts; the correlations say how well an estimate ranks
// and scales the sites the way real patching does.
import { performance } from 'node:perf_hooks';

import { transformerLrpComposite, type HookedTransformer } from '@tdhook/adapter-nlp';
import {
  activationPatchingGrid,
  attributionPatching,
  LabelledGrid,
  pearson,
  spearman,
  type SiteGrid,
} from '@tdhook/intervention';

import { patchingData, type IoiPairs } from './ioi-pairs.js';

/** One estimate of a grid next to activation patching. */
export interface EstimatedGrid {
  readonly name: 'AtP' | 'RelP';
  readonly grid: LabelledGrid;
  readonly pearson: number;
  readonly spearman: number;
  readonly seconds: number;
}

/** Activation patching's effect on one site grid, AtP's and RelP's estimates of it, and the metric's ends. */
export interface PatchingComparison {
  readonly patching: LabelledGrid;
  readonly patchingSeconds: number;
  readonly estimates: readonly EstimatedGrid[];
  /** Mean metric on the clean prompts (the source) and on the corrupted ones (the baseline). */
  readonly cleanMetric: number;
  readonly corruptedMetric: number;
}

/** The mean of a metric over the prompts. */
export const mean = (values: ArrayLike<number>): number =>
  Array.from(values).reduce((sum, value) => sum + value, 0) / values.length;

/** Runs the three methods on `sites`: data = clean inputs, data.patched = the corrupted run that receives. */
export function comparePatching(
  model: HookedTransformer,
  pairs: IoiPairs,
  sites: SiteGrid,
): PatchingComparison {
  using data = patchingData(pairs);
  let started = performance.now();
  let cleanMetric = Number.NaN;
  let corruptedMetric = Number.NaN;
  let patching: LabelledGrid;
  {
    using prepared = activationPatchingGrid({ sites, metric: pairs.metric }).prepare(model);
    using result = prepared.run(data);
    patching = LabelledGrid.fromSamples(result.getTensor(['patching', 'effect']), sites);
    cleanMetric = mean(result.getTensor(['patching', 'source_metric']).dataSync());
    corruptedMetric = mean(result.getTensor(['patching', 'baseline_metric']).dataSync());
  }
  const patchingSeconds = (performance.now() - started) / 1000;
  const estimates: EstimatedGrid[] = [];
  for (const method of ['atp', 'relp'] as const) {
    started = performance.now();
    using prepared = attributionPatching({
      sites,
      metric: pairs.metric,
      method,
      ...(method === 'relp' ? { composite: transformerLrpComposite() } : {}),
    }).prepare(model);
    using result = prepared.run(data);
    const grid = LabelledGrid.fromSamples(result.getTensor([method, 'estimate']), sites);
    estimates.push({
      name: method === 'atp' ? 'AtP' : 'RelP',
      grid,
      pearson: pearson(grid.values, patching.values),
      spearman: spearman(grid.values, patching.values),
      seconds: (performance.now() - started) / 1000,
    });
  }
  return { patching, patchingSeconds, estimates, cleanMetric, corruptedMetric };
}
