// Δ ⊙ g summed under each site's mask: computed once per path, reduced over the axes no site of that path
// names, then one matrix product gives every site of the path.
import * as tf from '@tensorflow/tfjs-core';

import type { PatchSite } from '../sites/patch-site.js';
import { siteMask } from '../sites/site-mask.js';

/** The sites of one path and their positions in the grid. */
interface PathSites {
  readonly path: string;
  readonly sites: readonly { readonly site: PatchSite; readonly cell: number }[];
}

/**
 * How one path's product is reduced: the axes summed away (no site names them), and a `[K, n]` float
 * matrix whose column j is site j's mask over the `K` remaining elements. Owns `masks`.
 */
export interface PathReduction {
  readonly path: string;
  readonly cells: readonly number[];
  readonly summed: readonly number[];
  readonly masks: tf.Tensor2D;
}

/**
 * The sites grouped by path, in the order the paths first appear.
 *
 * @example
 * groupSitesByPath(headSites(config).sites); // [{ path: 'blocks.0.attn.hook_z', sites: [...4] }, ...]
 */
export function groupSitesByPath(sites: readonly PatchSite[]): PathSites[] {
  const groups = new Map<string, { site: PatchSite; cell: number }[]>();
  sites.forEach((site, cell) => {
    const list = groups.get(site.path) ?? [];
    list.push({ site, cell });
    groups.set(site.path, list);
  });
  return [...groups].map(([path, list]) => ({ path, sites: list }));
}

/**
 * Plans the reduction of one path whose value has `shape` (batch first). A unit outside the shape is
 * siteMask's `InvalidValueError`, naming the site. The caller disposes `masks`.
 */
export function planPathReduction(group: PathSites, shape: readonly number[]): PathReduction {
  const rank = shape.length;
  const named = new Set<number>();
  for (const { site } of group.sites) {
    // siteMask checks every unit against the full shape first, so that errors name real axes and sizes.
    siteMask(site, shape).dispose();
    for (const unit of site.units) named.add(unit.axis < 0 ? unit.axis + rank : unit.axis);
  }
  const summed = Array.from({ length: rank - 1 }, (_, index) => index + 1).filter((axis) => !named.has(axis));
  const reduced = shape.map((size, axis) => (summed.includes(axis) ? 1 : size));
  const size = reduced.slice(1).reduce((product, value) => product * value, 1);
  const masks = tf.tidy(() => {
    const columns = group.sites.map(({ site }) =>
      tf.reshape(tf.cast(siteMask(site, reduced), 'float32'), [size]),
    );
    return tf.stack(columns, 1) as tf.Tensor2D;
  });
  return { path: group.path, cells: group.sites.map(({ cell }) => cell), summed, masks };
}

/**
 * `Σ Δ ⊙ g` over each site of one path: `[rows, sites of the path]`. Inside a tidy of the caller.
 *
 * @example
 * const perSite = reducePath(plan, tf.mul(delta, gradient)); // [rows, n]
 */
export function reducePath(reduction: PathReduction, product: tf.Tensor): tf.Tensor2D {
  const [rows] = product.shape;
  const kept = reduction.summed.length === 0 ? product : tf.sum(product, [...reduction.summed], true);
  return tf.matMul(tf.reshape(kept, [rows, -1]), reduction.masks);
}
