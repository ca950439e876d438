// Δ ⊙ g summed under each site's mask: computed once per path, reduced over the axes no site of that path
// names, then one matrix product gives every site of the path.
import * as tf from '@tensorflow/tfjs-core';

import type { PatchSite } from '../sites/patch-site.js';
import { resolveSiteUnits } from '../sites/site-mask.js';

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
 * Plans the reduction of one path whose value has `shape` (batch first). The masks are `siteMask`'s,
 * written out in plain numbers (a grid of a hundred sites would otherwise cost a thousand small kernels per
 * run); a unit outside the shape is `siteMask`'s `InvalidValueError`, naming the site. The caller disposes
 * `masks`.
 */
export function planPathReduction(group: PathSites, shape: readonly number[]): PathReduction {
  const resolved = group.sites.map(({ site }) => resolveSiteUnits(site, shape));
  const named = new Set(resolved.flatMap((units) => units.map(({ axis }) => axis)));
  const summed = shape.flatMap((_, axis) => (axis > 0 && !named.has(axis) ? [axis] : []));
  // Row-major strides of the reduced value without its batch axis (summed axes have size 1).
  const reduced = shape.slice(1).map((size, offset) => (summed.includes(offset + 1) ? 1 : size));
  const size = reduced.reduce((product, value) => product * value, 1);
  const strides = reduced.map((_, offset) =>
    reduced.slice(offset + 1).reduce((product, value) => product * value, 1),
  );
  const count = group.sites.length;
  const values = new Float32Array(size * count);
  resolved.forEach((units, column) => {
    for (let element = 0; element < size; element++) {
      const inside = units.every(
        ({ axis, index }) =>
          Math.floor(element / (strides[axis - 1] ?? 1)) % (reduced[axis - 1] ?? 1) === index,
      );
      if (inside) values[element * count + column] = 1;
    }
  });
  return {
    path: group.path,
    cells: group.sites.map(({ cell }) => cell),
    summed,
    masks: tf.tensor2d(values, [size, count]),
  };
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
