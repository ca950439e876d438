import * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError } from '@tdhook/core';

import type { PatchSite } from './patch-site.js';

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
  const rank = shape.length;
  const resolved = site.units.map(({ axis, index }) => {
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
    return { at, index: index < 0 ? index + size : index };
  });
  return tf.tidy(() => {
    let mask: tf.Tensor = tf.ones([1, ...shape.slice(1)], 'bool');
    for (const { at, index } of resolved) {
      const size = shape[at] ?? 0;
      const axisShape = shape.map((_, position) => (position === at ? size : 1));
      const line = tf.reshape(tf.equal(tf.range(0, size, 1, 'int32'), tf.scalar(index, 'int32')), axisShape);
      mask = tf.logicalAnd(mask, line);
    }
    return mask;
  });
}
