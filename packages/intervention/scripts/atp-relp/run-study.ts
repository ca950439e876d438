// One model of the AtP/RelP study: the activation-patching grids (the ground truth), the AtP and RelP grids
// for the same sites, and their correlations with patching, per grid.
import * as tf from '@tensorflow/tfjs-core';
import { TensorDict } from '@tdhook/core';
import { transformerLrpComposite, type HookedTransformer } from '@tdhook/adapter-nlp';

import {
  activationPatchingGrid,
  attributionPatching,
  headPositionSites,
  headSites,
  LabelledGrid,
  layerPositionSites,
  pearson,
  siteMask,
  spearman,
  type PatchSite,
  type SiteGrid,
} from '../../src/index.js';
import { heldEffects } from './held-patching.js';
import type { StudyDataset } from './study-datasets.js';

/** The grids of the study, by name: per head (hook_z), layer × position (hook_resid_pre), head × position. */
export type StudyGridName = 'head' | 'layer-position' | 'head-position';

export const studyGridNames: readonly StudyGridName[] = ['head', 'layer-position', 'head-position'];

/** What the study compares a method's grid with: the correlations over all sites and over the non-trivial ones. */
export interface Agreement {
  readonly pearson: number;
  readonly spearman: number;
}

/**
 * One site whose estimate is far from what patching measured, with the patching effect again with the
 * LayerNorm scales, then also the attention patterns, held at their corrupted-run values ({@link heldEffects}).
 */
export interface Disagreement {
  readonly label: string;
  readonly patching: number;
  readonly atp: number;
  readonly relp: number;
  readonly scalesHeld: number;
  readonly scalesAndPatternsHeld: number;
}

/** How many of the worst sites per grid get the held-effects diagnosis. */
const diagnosed = 4;

/** The study's result for one grid of one model. */
export interface GridStudy {
  readonly grid: StudyGridName;
  readonly hook: string;
  readonly sites: number;
  /**
   * Sites that can move the metric: the clean and corrupted activations differ in at least one sample, and
   * patching, AtP or RelP is not zero there. Elsewhere every method gives 0 (equal activations, or a site the
   * metric cannot see, such as a layer-1 head before the last position of a 2-layer model).
   */
  readonly nonTrivialSites: number;
  readonly atp: Agreement;
  readonly relp: Agreement;
  readonly atpNonTrivial: Agreement;
  readonly relpNonTrivial: Agreement;
  /** Mean over samples per site, row-major over the grid's axes. */
  readonly labels: readonly string[];
  readonly axes: readonly { readonly name: string; readonly labels: readonly string[] }[];
  readonly patching: readonly number[];
  readonly atpEstimate: readonly number[];
  readonly relpEstimate: readonly number[];
  /** The (at most 4) sites where an estimate misses patching by the most, by ≥ 10 % of the largest effect. */
  readonly disagreements: readonly Disagreement[];
}

/** The study's result for one model and data set. */
export interface ModelStudy {
  readonly model: 'ioi' | 'induction';
  readonly samples: number;
  readonly positions: number;
  readonly metric: string;
  readonly cleanMetric: number;
  readonly corruptedMetric: number;
  readonly positionLabels: readonly string[];
  readonly grids: readonly GridStudy[];
}

/** The site grid of one study grid on a transformer with this many positions. */
export function studySites(model: HookedTransformer, grid: StudyGridName, positions: number): SiteGrid {
  if (grid === 'head') return headSites(model.config);
  if (grid === 'layer-position') return layerPositionSites(model.config, { positions });
  return headPositionSites(model.config, { positions });
}

function ids(rows: readonly (readonly number[])[]): tf.Tensor2D {
  return tf.tensor2d(
    rows.map((row) => [...row]),
    undefined,
    'int32',
  );
}

/** Runs one method on the clean (source) and corrupted (receiving) inputs; reads `[key, leaf]` as a grid. */
function gridOf(
  model: HookedTransformer,
  method: ReturnType<typeof activationPatchingGrid> | ReturnType<typeof attributionPatching>,
  dataset: StudyDataset,
  key: readonly [string, string],
  sites: SiteGrid,
): { grid: LabelledGrid; source: number; baseline: number } {
  const prepared = method.prepare(model);
  const data = new TensorDict(
    { input: ids(dataset.clean), patched: { input: ids(dataset.corrupted) } },
    { batchShape: [dataset.clean.length] },
  );
  try {
    const result = prepared.run(data);
    try {
      const mean = (leaf: string): number =>
        tf.tidy(() => tf.mean(result.getTensor([key[0], leaf])).dataSync()[0] ?? Number.NaN);
      return {
        grid: LabelledGrid.fromSamples(result.getTensor(key), sites),
        source: mean('source_metric'),
        baseline: mean('baseline_metric'),
      };
    } finally {
      result.dispose();
    }
  } finally {
    prepared.restore();
    data.dispose();
  }
}

/** Per site: whether the clean and corrupted activations differ anywhere in it, in any sample. */
function nonTrivial(model: HookedTransformer, dataset: StudyDataset, sites: SiteGrid): boolean[] {
  const paths = [...new Set(sites.sites.map((site) => site.path))];
  const clean = ids(dataset.clean);
  const corrupted = ids(dataset.corrupted);
  const a = model.runWithCache(clean, { names: paths });
  const b = model.runWithCache(corrupted, { names: paths });
  try {
    return sites.sites.map((site) =>
      tf.tidy(() => {
        const x = a.cache.getTensor(site.path);
        const y = b.cache.getTensor(site.path);
        const mask = tf.cast(siteMask(site, x.shape), 'float32');
        return (tf.max(tf.mul(tf.abs(tf.sub(x, y)), mask)).dataSync()[0] ?? 0) > 0;
      }),
    );
  } finally {
    tf.dispose([clean, corrupted, a.logits, b.logits]);
    a.cache.dispose();
    b.cache.dispose();
  }
}

function agreement(
  estimate: ArrayLike<number>,
  truth: ArrayLike<number>,
  keep?: readonly boolean[],
): Agreement {
  const pick = (values: ArrayLike<number>): number[] =>
    Array.from(values).filter((_, index) => keep === undefined || keep[index] === true);
  return { pearson: pearson(pick(estimate), pick(truth)), spearman: spearman(pick(estimate), pick(truth)) };
}

/** Options of {@link studyModel}: which grids, whether to diagnose, how many rows one patching pass may hold. */
export interface StudyOptions {
  readonly grids?: readonly StudyGridName[];
  /** Diagnose the worst sites with {@link heldEffects} (default true; the test leaves it to the script). */
  readonly diagnose?: boolean;
  readonly maxRowsPerPass?: number;
  readonly onGrid?: (grid: StudyGridName, seconds: number) => void;
}

/** The whole study on one model: every grid, patching vs AtP vs RelP. */
export function studyModel(
  model: HookedTransformer,
  dataset: StudyDataset,
  options: StudyOptions = {},
): ModelStudy {
  const positions = dataset.clean[0]?.length ?? 0;
  const composite = transformerLrpComposite();
  let cleanMetric = Number.NaN;
  let corruptedMetric = Number.NaN;
  const grids = (options.grids ?? studyGridNames).map((name): GridStudy => {
    const started = performance.now();
    const sites = studySites(model, name, positions);
    const patched = gridOf(
      model,
      activationPatchingGrid({
        sites,
        metric: dataset.metric,
        ...(options.maxRowsPerPass === undefined ? {} : { maxRowsPerPass: options.maxRowsPerPass }),
      }),
      dataset,
      ['patching', 'effect'],
      sites,
    );
    cleanMetric = patched.source;
    corruptedMetric = patched.baseline;
    const atp = gridOf(
      model,
      attributionPatching({ sites, metric: dataset.metric, method: 'atp' }),
      dataset,
      ['atp', 'estimate'],
      sites,
    );
    const relp = gridOf(
      model,
      attributionPatching({ sites, metric: dataset.metric, method: 'relp', composite }),
      dataset,
      ['relp', 'estimate'],
      sites,
    );
    const truth = patched.grid.values;
    const largest = Math.max(...Array.from(truth, Math.abs));
    // A site the metric cannot see gives 0 in all three (to float32 round-off of the batched passes).
    const seen = (index: number): boolean =>
      [truth, atp.grid.values, relp.grid.values].some(
        (values) => Math.abs(values[index] ?? 0) > 1e-6 * largest,
      );
    const keep = nonTrivial(model, dataset, sites).map((differs, index) => differs && seen(index));
    const miss = (index: number): number =>
      Math.max(
        Math.abs((atp.grid.values[index] ?? 0) - (truth[index] ?? 0)),
        Math.abs((relp.grid.values[index] ?? 0) - (truth[index] ?? 0)),
      );
    const worst = sites.sites
      .map((_, index) => index)
      .filter((index) => miss(index) >= 0.1 * largest)
      .sort((a, b) => miss(b) - miss(a))
      .slice(0, options.diagnose === false ? 0 : diagnosed);
    const held = heldEffects(
      model,
      dataset,
      worst.map((index) => sites.sites[index] as PatchSite),
    );
    const disagreements = worst.map((index, rank) => ({
      label: sites.sites[index]?.label ?? '',
      patching: truth[index] ?? 0,
      atp: atp.grid.values[index] ?? 0,
      relp: relp.grid.values[index] ?? 0,
      scalesHeld: held[rank]?.scalesHeld ?? Number.NaN,
      scalesAndPatternsHeld: held[rank]?.scalesAndPatternsHeld ?? Number.NaN,
    }));
    options.onGrid?.(name, (performance.now() - started) / 1000);
    return {
      grid: name,
      hook: sites.sites[0]?.path.replace(/^blocks\.0\./, '') ?? '',
      sites: sites.sites.length,
      nonTrivialSites: keep.filter(Boolean).length,
      atp: agreement(atp.grid.values, truth),
      relp: agreement(relp.grid.values, truth),
      atpNonTrivial: agreement(atp.grid.values, truth, keep),
      relpNonTrivial: agreement(relp.grid.values, truth, keep),
      labels: sites.sites.map((site) => site.label),
      axes: sites.axes,
      patching: Array.from(truth),
      atpEstimate: Array.from(atp.grid.values),
      relpEstimate: Array.from(relp.grid.values),
      disagreements,
    };
  });
  return {
    model: dataset.task,
    samples: dataset.clean.length,
    positions,
    metric: dataset.metricName,
    cleanMetric,
    corruptedMetric,
    positionLabels: dataset.positionLabels,
    grids,
  };
}
