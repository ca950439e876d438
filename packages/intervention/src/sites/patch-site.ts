import { InvalidValueError } from '@tdhook/core';

/**
 * One coordinate of a patched region: `index` on `axis` of the hooked value. Axis 0 is the batch axis and
 * is never named; negative axes count from the end.
 *
 * @example
 * const head3: SiteUnit = { axis: 2, index: 3 }; // hook_z is [batch, pos, head, dHead]
 */
export interface SiteUnit {
  readonly axis: number;
  readonly index: number;
}

/**
 * One patchable region of a model: the output of the module at `path`, restricted to the elements whose
 * coordinate on every named axis equals its index (the whole output when `units` is empty). `label` names it
 * in grids, plots and errors.
 *
 * @example
 * // Head 3 of layer 1 at position 7 (hook_z is [batch, pos, head, dHead]):
 * const site: PatchSite = {
 *   path: 'blocks.1.attn.hook_z',
 *   units: [{ axis: 1, index: 7 }, { axis: 2, index: 3 }],
 *   label: 'L1H3 @7',
 * };
 */
export interface PatchSite {
  readonly path: string;
  readonly units: readonly SiteUnit[];
  readonly label: string;
}

/**
 * One axis of a grid of sites: its name and one label per index.
 *
 * @example
 * const layers: GridAxis = { name: 'layer', labels: ['0', '1'] };
 */
export interface GridAxis {
  readonly name: string;
  readonly labels: readonly string[];
}

/**
 * Sites laid out on a grid: one site per cell, row-major over `axes` (the last axis varies fastest), so a
 * grid method's result has the grid's shape.
 *
 * @example
 * const grid: SiteGrid = headSites({ nLayers: 2, nHeads: 4 }); // axes layer × head, 8 sites
 * grid.shape; // [2, 4]
 */
export interface SiteGrid {
  readonly axes: readonly GridAxis[];
  readonly shape: readonly number[];
  readonly sites: readonly PatchSite[];
}

const where = 'siteGrid';

function fail(what: string, fix: string): never {
  throw new InvalidValueError({ what, where, fix });
}

const isList = (value: unknown): value is readonly unknown[] => Array.isArray(value);

function checkSite(given: PatchSite, index: number): void {
  const site = given as Partial<PatchSite> | null;
  if (typeof site !== 'object' || site === null)
    fail(`sites[${index}] is not an object`, 'Give { path, units, label }.');
  if (typeof site.path !== 'string')
    fail(`sites[${index}].path must be a module path string`, "Use e.g. 'blocks.0.attn.hook_z'.");
  if (typeof site.label !== 'string') fail(`sites[${index}].label must be a string`, "Use e.g. 'L0H3'.");
  if (!isList(site.units)) fail(`sites[${index}].units must be an array`, 'Use [] for the whole output.');
  const axes = new Set<number>();
  for (const unit of site.units) {
    if (!Number.isInteger(unit.axis) || unit.axis === 0 || !Number.isInteger(unit.index)) {
      fail(
        `sites[${index}] ('${site.label}') has the unit ${JSON.stringify(unit)}`,
        'Units are { axis, index } with whole numbers; axis 0 (the batch) cannot be named.',
      );
    }
    if (axes.has(unit.axis))
      fail(`sites[${index}] ('${site.label}') names axis ${unit.axis} twice`, 'Name each axis once.');
    axes.add(unit.axis);
  }
}

/**
 * Checks and freezes a user-defined grid of sites: `sites.length` must be the product of the axes' sizes,
 * every axis needs at least one label, every site a path, a label and units on distinct non-batch axes.
 *
 * @example
 * const channels = siteGrid({
 *   axes: [{ name: 'channel', labels: ['0', '1', '2'] }],
 *   sites: [0, 1, 2].map((c) => ({ path: 'conv2', units: [{ axis: -1, index: c }], label: `conv2 #${c}` })),
 * });
 */
export function siteGrid(grid: {
  readonly axes: readonly GridAxis[];
  readonly sites: readonly PatchSite[];
}): SiteGrid {
  if (!isList(grid.axes) || grid.axes.length === 0)
    fail('A grid needs at least one axis', 'Give axes: [{ name, labels }].');
  const shape = grid.axes.map((axis, index) => {
    if (typeof axis.name !== 'string' || !isList(axis.labels) || axis.labels.length === 0) {
      fail(
        `axes[${index}] needs a name and at least one label`,
        "Use e.g. { name: 'layer', labels: ['0', '1'] }.",
      );
    }
    return axis.labels.length;
  });
  const cells = shape.reduce((product, size) => product * size, 1);
  if (!isList(grid.sites) || grid.sites.length !== cells) {
    fail(
      `The grid's axes [${shape.join(' × ')}] have ${cells} cells but ${isList(grid.sites) ? grid.sites.length : 'no'} sites are given`,
      'Give one site per cell, row-major over the axes (the last axis varies fastest).',
    );
  }
  grid.sites.forEach(checkSite);
  return Object.freeze({
    axes: Object.freeze(
      grid.axes.map((axis) => Object.freeze({ name: axis.name, labels: Object.freeze([...axis.labels]) })),
    ),
    shape: Object.freeze(shape),
    sites: Object.freeze(
      grid.sites.map((site) => Object.freeze({ ...site, units: Object.freeze([...site.units]) })),
    ),
  });
}
