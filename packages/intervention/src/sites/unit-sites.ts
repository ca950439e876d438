import { InvalidValueError } from '@tdhook/core';

import { siteGrid, type SiteGrid } from './patch-site.js';

/**
 * Options of {@link unitSites}: one module, the axis of its output that holds the units (channels of a
 * conv layer, neurons of a dense one), and which units.
 *
 * @example
 * const options: UnitSiteOptions = { path: 'conv2', axis: -1, indices: [0, 1, 2], name: 'channel' };
 */
export interface UnitSiteOptions {
  readonly path: string;
  /** The axis of the output that holds the units; never 0 (the batch). Default -1. */
  readonly axis?: number;
  readonly indices: readonly number[];
  /** The grid axis' name. Default `'unit'`. */
  readonly name?: string;
}

/**
 * A one-axis grid: each unit (channel, neuron) of one module's output is a site.
 *
 * @example
 * const channels = unitSites({ path: 'conv2', axis: -1, indices: [0, 1, 2, 3], name: 'channel' });
 */
export function unitSites(options: UnitSiteOptions): SiteGrid {
  const axis = options.axis ?? -1;
  const indices: unknown = options.indices;
  if (!Array.isArray(indices) || indices.length === 0) {
    throw new InvalidValueError({
      what: 'unitSites needs at least one index',
      where: 'unitSites',
      fix: 'Pass indices: [0, 1, …].',
    });
  }
  return siteGrid({
    axes: [{ name: options.name ?? 'unit', labels: options.indices.map(String) }],
    sites: options.indices.map((index) => ({
      path: options.path,
      units: [{ axis, index }],
      label: `${options.path} #${index}`,
    })),
  });
}
