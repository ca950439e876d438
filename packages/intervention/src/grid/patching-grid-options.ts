import { InvalidValueError, toKeyPath, type Key, type KeyPath } from '@tdhook/core';
import { checkOptionNames } from '@tdhook/core/plugin';

import type { PatchingMetric } from '../metric/patching-metric.js';
import { siteGrid, type SiteGrid } from '../sites/patch-site.js';

/**
 * Where a grid run stands, after each model pass: cells patched so far out of all, passes made so far out of
 * all (the source pass included).
 *
 * @example
 * const onProgress = ({ cells, totalCells }: PatchingGridProgress): void => {
 *   console.log(`${cells}/${totalCells} cells`);
 * };
 */
export interface PatchingGridProgress {
  readonly cells: number;
  readonly totalCells: number;
  readonly passes: number;
  readonly totalPasses: number;
}

/**
 * Options of {@link activationPatchingGrid}: the sites, the metric, where the receiving run's inputs are and
 * where results go, how many rows one model pass may hold, and a progress callback.
 *
 * @example
 * const options: ActivationPatchingGridOptions = {
 *   sites: headSites(model.config),
 *   metric: logitDifference({ answer: 51, versus: 61 }),
 *   maxRowsPerPass: 32,
 * };
 */
export interface ActivationPatchingGridOptions {
  /** The sites to patch, one per cell (`headSites`, `layerPositionSites`, `unitSites`, `siteGrid`). */
  readonly sites: SiteGrid;
  /** One number per row; rows must be independent (patched runs are stacked in one batch). */
  readonly metric: PatchingMetric;
  /**
   * Where the receiving (corrupted) run's inputs are: `data[[...patchKey, ...inKey]]` for each of the model's
   * input keys; the source (clean) inputs are under the input keys themselves. Default `'patched'`. Patching
   * from corrupted into clean (noising) is the same call with the inputs swapped.
   */
  readonly patchKey?: Key;
  /** Where results go: `[...resultKey, 'patched_metric']` and the others. Default `'patching'`. */
  readonly resultKey?: Key;
  /**
   * The most rows (patched cells × samples) one patched pass holds. A pass holds whole copies of the batch, at
   * least one; the source pass holds `2 · samples` rows whatever this is. Default {@link defaultMaxRowsPerPass}
   * (64).
   */
  readonly maxRowsPerPass?: number;
  /** Called after every model pass (the source pass and each patched pass). */
  readonly onProgress?: (progress: PatchingGridProgress) => void;
}

/**
 * The options of {@link activationPatchingGrid} once checked, every default filled in.
 *
 * @example
 * activationPatchingGrid({ sites, metric }).options.maxRowsPerPass; // 64
 */
export interface ConfiguredPatchingGrid {
  readonly sites: SiteGrid;
  readonly metric: PatchingMetric;
  readonly patchKey: KeyPath;
  readonly resultKey: KeyPath;
  readonly maxRowsPerPass: number;
  readonly onProgress?: (progress: PatchingGridProgress) => void;
}

/**
 * The default of `maxRowsPerPass`: 64 rows. A pass keeps every intermediate tensor of the forward pass for
 * all its rows until it ends, so memory grows with rows × the model's activations per row: about 6 MB for
 * 64 rows of gpt2-tiny over 12 tokens, about 1.5 GB for GPT-2 small over 20 tokens (lower it there). On the
 * small models of the tests the time per row stops falling well before 64 rows.
 *
 * @example
 * activationPatchingGrid({ sites, metric, maxRowsPerPass: defaultMaxRowsPerPass / 4 });
 */
export const defaultMaxRowsPerPass = 64;

const where = 'activationPatchingGrid';
const known = ['sites', 'metric', 'patchKey', 'resultKey', 'maxRowsPerPass', 'onProgress'];
// Names users bring from activationPatching, attributionPatching or Python.
const renamed: Readonly<Record<string, string>> = {
  direction:
    'There is no direction option: for noising, put the corrupted inputs under the input keys and the clean ones under patchKey.',
  modules:
    'A grid takes sites, a SiteGrid (headSites(model.config), layerPositionSites, unitSites({ path, indices }), siteGrid); activationPatching takes modules.',
  targets: 'Use sites: a SiteGrid, e.g. unitSites({ path, axis, indices }).',
  patch_key: 'Use patchKey.',
  result_key: 'Use resultKey.',
  max_rows_per_pass: 'Use maxRowsPerPass.',
  batchSize: 'Use maxRowsPerPass: the most rows (cells × samples) one model pass holds.',
  method: "Use attributionPatching({ sites, metric, method: 'atp' | 'relp' }) for the estimates.",
};

function fail(what: string, option: string, fix: string): never {
  throw new InvalidValueError({ what, where: `${where} ${option}`, fix });
}

/**
 * Checks the options of {@link activationPatchingGrid} and fills the defaults (here, once).
 *
 * @example
 * configurePatchingGrid({ sites, metric }).patchKey; // ['patched']
 */
export function configurePatchingGrid(options: ActivationPatchingGridOptions): ConfiguredPatchingGrid {
  checkOptionNames(options, known, renamed, where);
  const given = options.sites as Partial<SiteGrid> | undefined;
  if (typeof given !== 'object' || !Array.isArray(given.axes) || !Array.isArray(given.sites)) {
    fail(
      'sites must be a site grid',
      'sites',
      'Build one with headSites(model.config), layerPositionSites, headPositionSites, unitSites or siteGrid.',
    );
  }
  // Checked and frozen again: a hand-written { axes, shape, sites } object is checked like siteGrid's.
  const sites = siteGrid({ axes: given.axes, sites: given.sites });
  if (typeof options.metric !== 'function') {
    fail(
      `metric must be a function, got ${typeof options.metric}`,
      'metric',
      'Pass e.g. logitDifference({ answer, versus }), or (output) => a [rows] tensor.',
    );
  }
  const maxRowsPerPass: unknown = options.maxRowsPerPass ?? defaultMaxRowsPerPass;
  if (typeof maxRowsPerPass !== 'number' || !Number.isSafeInteger(maxRowsPerPass) || maxRowsPerPass < 1) {
    fail(
      `maxRowsPerPass must be a whole number ≥ 1, got ${JSON.stringify(maxRowsPerPass)}`,
      'maxRowsPerPass',
      `Leave it out for ${defaultMaxRowsPerPass}, or give the rows one model pass may hold.`,
    );
  }
  if (options.onProgress !== undefined && typeof options.onProgress !== 'function') {
    fail(
      `onProgress must be a function, got ${typeof options.onProgress}`,
      'onProgress',
      'Pass a function or leave it out.',
    );
  }
  const patchKey = toKeyPath(options.patchKey ?? 'patched', `${where} patchKey`);
  const resultKey = toKeyPath(options.resultKey ?? 'patching', `${where} resultKey`);
  return {
    sites,
    metric: options.metric,
    patchKey,
    resultKey,
    maxRowsPerPass,
    ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
  };
}
