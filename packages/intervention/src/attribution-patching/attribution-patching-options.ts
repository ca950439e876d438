import { InvalidValueError, toKeyPath, type Key, type KeyPath } from '@tdhook/core';
import { checkOptionNames } from '@tdhook/core/plugin';
import { isLrpComposite, lrpComposites, type LrpComposite, type LrpCompositeName } from '@tdhook/attribution';

import type { PatchingMetric } from '../metric/patching-metric.js';
import { siteGrid, type SiteGrid } from '../sites/patch-site.js';

/**
 * Which estimate {@link attributionPatching} computes: `'atp'` takes the plain gradient, `'relp'` the LRP
 * modified gradient of a composite's rules.
 *
 * @example
 * const method: AttributionPatchingMethod = 'relp';
 */
export type AttributionPatchingMethod = 'atp' | 'relp';

/**
 * Options of {@link attributionPatching}.
 *
 * @example
 * const options: AttributionPatchingOptions = {
 *   sites: headSites(model.config),
 *   metric: logitDifference({ answer: 51, versus: 61 }),
 *   method: 'relp',
 *   composite: transformerLrpComposite(), // from @tdhook/adapter-nlp
 * };
 */
export interface AttributionPatchingOptions {
  /** Where to estimate the effect of patching: one estimate per site, laid out as the grid. */
  readonly sites: SiteGrid;
  /** What the estimate is of: one differentiable number per row (e.g. `logitDifference`). */
  readonly metric: PatchingMetric;
  /** `'atp'` (the gradient) or `'relp'` (the LRP modified gradient of `composite`). Default `'atp'`. */
  readonly method?: AttributionPatchingMethod;
  /**
   * RelP only, and required there: the LRP rules installed during the receiving run's backward pass. For a
   * transformer `transformerLrpComposite()` from `@tdhook/adapter-nlp` (the paper's rules); a name such as
   * `'epsilon'` or any `defineLrpComposite` object otherwise.
   */
  readonly composite?: LrpComposite | LrpCompositeName;
  /**
   * Where the receiving run's inputs are: `data[patchKey]` holds them under the model's input keys, while
   * `data` itself holds the source run's (the clean run patched from). Default `'patched'`.
   */
  readonly patchKey?: Key;
  /** Where results go: `[resultKey, 'estimate' | 'source_metric' | 'baseline_metric']`. Default: the method name. */
  readonly resultKey?: Key;
}

/**
 * The options once `configure` has filled every default (written there only): what `method.options` and
 * `describe()` show and what plan and bind read.
 *
 * @example
 * const configured: ConfiguredAttributionPatching = attributionPatching({ sites, metric }).options;
 * configured.resultKey; // ['atp']
 */
export interface ConfiguredAttributionPatching extends AttributionPatchingOptions {
  readonly method: AttributionPatchingMethod;
  readonly patchKey: KeyPath;
  readonly resultKey: KeyPath;
}

const where = 'intervention/attribution-patching';

const known = ['sites', 'metric', 'method', 'composite', 'patchKey', 'resultKey'];
// Names users bring from the grid, the methods or Python, with where they went.
const renamed: Readonly<Record<string, string>> = {
  patch_key: 'Use patchKey.',
  result_key: 'Use resultKey.',
  modules: 'attributionPatching takes sites (a site grid, e.g. headSites(model.config)), not modules.',
  maxRowsPerPass:
    'attributionPatching runs two forward passes and one backward pass whatever the grid: there is nothing to chunk.',
  onProgress:
    'attributionPatching runs two forward passes and one backward pass: there is no progress to report.',
  estimator: "Use method: 'atp' | 'relp'.",
};

function fail(what: string, fix: string, field?: string): never {
  throw new InvalidValueError({ what, where: field === undefined ? where : `${where} ${field}`, fix });
}

/** Checks the user's options and fills the defaults; every problem is a typed error before any model call. */
export function configureAttributionPatching(
  options: AttributionPatchingOptions,
): ConfiguredAttributionPatching {
  checkOptionNames(options, known, renamed, where);
  const given = options as Partial<AttributionPatchingOptions>;
  if (given.sites === undefined) {
    fail(
      'sites is missing',
      'Pass a site grid, e.g. headSites(model.config) or siteGrid({ axes, sites }).',
      'sites',
    );
  }
  // Re-checked (and frozen) here, so that a hand-made grid gets the same errors as siteGrid's.
  const sites = siteGrid(given.sites);
  if (typeof given.metric !== 'function') {
    fail(
      `metric must be a function of the output, got ${typeof given.metric}`,
      'Pass e.g. logitDifference({ answer, versus }), or (output) => a [rows] tensor.',
      'metric',
    );
  }
  const method: unknown = given.method ?? 'atp';
  if (method !== 'atp' && method !== 'relp') {
    fail(
      `method must be 'atp' or 'relp', got ${JSON.stringify(method)}`,
      "Use 'atp' (gradient) or 'relp' (LRP).",
      'method',
    );
  }
  const composite: unknown = given.composite;
  if (method === 'relp' && composite === undefined) {
    fail(
      'RelP needs the LRP rules to propagate with: no composite is given',
      "Pass composite: transformerLrpComposite() (from @tdhook/adapter-nlp) for a transformer, or a composite such as 'epsilon'.",
      'composite',
    );
  }
  if (method === 'atp' && composite !== undefined) {
    fail(
      "A composite is given but method is 'atp', which takes the plain gradient",
      "Set method: 'relp' to use the composite, or leave composite out.",
      'composite',
    );
  }
  if (
    composite !== undefined &&
    !isLrpComposite(composite) &&
    !(typeof composite === 'string' && Object.hasOwn(lrpComposites, composite))
  ) {
    fail(
      `Unknown composite ${typeof composite === 'string' ? JSON.stringify(composite) : typeof composite}`,
      `Use one of ${Object.keys(lrpComposites).join(', ')}, or a composite object (defineLrpComposite, transformerLrpComposite()).`,
      'composite',
    );
  }
  const patchKey = toKeyPath(given.patchKey ?? 'patched', `${where} patchKey`);
  const resultKey = toKeyPath(given.resultKey ?? method, `${where} resultKey`);
  return {
    ...given,
    sites,
    metric: given.metric,
    method,
    patchKey,
    resultKey,
  };
}
