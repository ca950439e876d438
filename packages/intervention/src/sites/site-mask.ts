import * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError } from '@tdhook/core';

import type { PatchSite } from './patch-site.js';

/**
 * A site's units resolved against a value's shape: non-negative axis and index, one per named axis.
 *
 * @example
 * const unit: ResolvedSiteUnit = { axis: 2, index: 3 }; // head 3 of [batch, pos, head, dHead]
 */
export interface ResolvedSiteUnit {
  readonly axis: number;
  readonly index: number;
}

/**
 * The units of `site` in a value of `shape` (batch axis first), negative axes and indices resolved; a unit
 * outside the shape is an `InvalidValueError` naming the site. No tensors: what {@link siteMask} builds on,
 * and what grid methods check every site with before they run a patched pass.
 *
 * @example
 * resolveSiteUnits({ path: 'blocks.0.attn.hook_z', units: [{ axis: -2, index: -1 }], label: 'L0H3' }, [1, 12, 4, 16]);
 * // [{ axis: 2, index: 3 }]
 */
export function resolveSiteUnits(site: PatchSite, shape: readonly number[]): ResolvedSiteUnit[] {
  const rank = shape.length;
  return site.units.map(({ axis, index }) => {
    const at = axis < 0 ? axis + rank : axis;
    const size = shape[at];
    if (at <= 0 || size === undefined) {
      throw new InvalidValueError({
        what: `Site '${site.label}' names axis ${axis}, which a value of shape [${shape.join(', ')}] at '${site.path}' does not have (axis 0 is the batch)`,
        where: 'sites',
        fix: `Use an axis from 1 to ${rank - 1} (or -1 to ${1 - rank}).`,
      });
    }
    if (index < -size || index >= size) {
      throw new InvalidValueError({
        what: `Site '${site.label}' picks index ${index} on axis ${axis} of size ${size} at '${site.path}' (shape [${shape.join(', ')}])`,
        where: 'sites',
        fix: `Use an index from 0 to ${size - 1}.`,
      });
    }
    return { axis: at, index: index < 0 ? index + size : index };
  });
}

/**
 * The elements a site patches in a value of `shape` (batch axis first), as a bool tensor of shape
 * `[1, ...shape.slice(1)]` that broadcasts over the batch: true where every named axis is at its index.
 * A unit outside the value's shape is an `InvalidValueError` naming the site. The caller owns the result.
 *
 * @example
 * const mask = siteMask({ path: 'blocks.0.attn.hook_z', units: [{ axis: 2, index: 1 }], label: 'L0H1' }, [1, 12, 4, 16]);
 * // [1, 12, 4, 16], true at head 1
 */
export function siteMask(site: PatchSite, shape: readonly number[]): tf.Tensor {
  const resolved = resolveSiteUnits(site, shape);
  return tf.tidy(() => {
    let mask: tf.Tensor = tf.ones([1, ...shape.slice(1)], 'bool');
    for (const { axis: at, index } of resolved) {
      const size = shape[at] ?? 0;
      const axisShape = shape.map((_, position) => (position === at ? size : 1));
      const line = tf.reshape(tf.equal(tf.range(0, size, 1, 'int32'), tf.scalar(index, 'int32')), axisShape);
      mask = tf.logicalAnd(mask, line);
    }
    return mask;
  });
}
