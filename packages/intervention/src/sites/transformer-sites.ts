import { InvalidValueError } from '@tdhook/core';

import { siteGrid, type PatchSite, type SiteGrid } from './patch-site.js';

/**
 * The sizes the transformer grids need: a `HookedTransformer`'s `config` has them (`headSites(model.config)`).
 *
 * @example
 * const shape: TransformerShape = { nLayers: 2, nHeads: 4 };
 */
export interface TransformerShape {
  readonly nLayers: number;
  readonly nHeads: number;
}

/**
 * Options of the transformer site grids: which hook point of each block (its name under `blocks.{i}.`), and
 * for position grids the number of positions.
 *
 * @example
 * const options: TransformerSiteOptions = { hook: 'hook_resid_pre', positions: 12 };
 */
export interface TransformerSiteOptions {
  /** Default `'attn.hook_z'` for head grids, `'hook_resid_pre'` for layer × position. */
  readonly hook?: string;
  /** The sequence length (position grids only). */
  readonly positions?: number;
}

function whole(value: unknown, name: string, where: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new InvalidValueError({
      what: `${name} must be a whole number ≥ 1, got ${JSON.stringify(value)}`,
      where,
      fix:
        name === 'positions'
          ? 'Pass the token count of the prompts: { positions: 12 }.'
          : 'Pass model.config.',
    });
  }
  return value;
}

const range = (count: number): number[] => Array.from({ length: count }, (_, index) => index);
const labels = (count: number): string[] => range(count).map(String);

/**
 * Every attention head of every layer, the head's whole output (`hook_z[:, :, h, :]` at all positions):
 * axes `layer × head`. Head axis 2 of `[batch, pos, head, dHead]` (also `hook_q`/`k`/`v`/`result`).
 *
 * @example
 * const heads = headSites(model.config); // 'blocks.{l}.attn.hook_z', units [{ axis: 2, index: h }]
 */
export function headSites(shape: TransformerShape, options: TransformerSiteOptions = {}): SiteGrid {
  const nLayers = whole(shape.nLayers, 'nLayers', 'headSites');
  const nHeads = whole(shape.nHeads, 'nHeads', 'headSites');
  const hook = options.hook ?? 'attn.hook_z';
  const sites: PatchSite[] = range(nLayers).flatMap((layer) =>
    range(nHeads).map((head) => ({
      path: `blocks.${layer}.${hook}`,
      units: [{ axis: 2, index: head }],
      label: `L${layer}H${head}`,
    })),
  );
  return siteGrid({
    axes: [
      { name: 'layer', labels: labels(nLayers) },
      { name: 'head', labels: labels(nHeads) },
    ],
    sites,
  });
}

/**
 * The residual stream (or any `[batch, pos, …]` hook point) of every layer at every position: axes
 * `layer × position`, position axis 1.
 *
 * @example
 * const resid = layerPositionSites(model.config, { positions: 12 }); // 'blocks.{l}.hook_resid_pre'
 */
export function layerPositionSites(shape: TransformerShape, options: TransformerSiteOptions): SiteGrid {
  const nLayers = whole(shape.nLayers, 'nLayers', 'layerPositionSites');
  const positions = whole(options.positions, 'positions', 'layerPositionSites');
  const hook = options.hook ?? 'hook_resid_pre';
  const sites: PatchSite[] = range(nLayers).flatMap((layer) =>
    range(positions).map((position) => ({
      path: `blocks.${layer}.${hook}`,
      units: [{ axis: 1, index: position }],
      label: `L${layer} @${position}`,
    })),
  );
  return siteGrid({
    axes: [
      { name: 'layer', labels: labels(nLayers) },
      { name: 'position', labels: labels(positions) },
    ],
    sites,
  });
}

/**
 * Every head of every layer at every position: axes `layer × head × position` (`hook_z[:, p, h, :]`).
 *
 * @example
 * const cells = headPositionSites(model.config, { positions: 15 }); // 2 × 4 × 15 sites
 */
export function headPositionSites(shape: TransformerShape, options: TransformerSiteOptions): SiteGrid {
  const nLayers = whole(shape.nLayers, 'nLayers', 'headPositionSites');
  const nHeads = whole(shape.nHeads, 'nHeads', 'headPositionSites');
  const positions = whole(options.positions, 'positions', 'headPositionSites');
  const hook = options.hook ?? 'attn.hook_z';
  const sites: PatchSite[] = range(nLayers).flatMap((layer) =>
    range(nHeads).flatMap((head) =>
      range(positions).map((position) => ({
        path: `blocks.${layer}.${hook}`,
        units: [
          { axis: 1, index: position },
          { axis: 2, index: head },
        ],
        label: `L${layer}H${head} @${position}`,
      })),
    ),
  );
  return siteGrid({
    axes: [
      { name: 'layer', labels: labels(nLayers) },
      { name: 'head', labels: labels(nHeads) },
      { name: 'position', labels: labels(positions) },
    ],
    sites,
  });
}
