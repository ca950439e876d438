import type * as tf from '@tensorflow/tfjs-core';
import { ShapeMismatchError } from '@tdhook/core';

import { readPointSets, type PointSets } from '../geometry/point-sets.js';

/**
 * Reads two representations of the same samples, `[..., N, Da]` and `[..., N, Db]`, checking what the
 * original checks: rank ≥ 2, equal batch shapes, equal sample counts (the feature dims may differ).
 *
 * @example
 * const [a, b] = readPairedPointSets(x, y, 'cka', 'CKA');
 */
export function readPairedPointSets(
  a: tf.Tensor,
  b: tf.Tensor,
  where: string,
  label: string,
): [PointSets, PointSets] {
  for (const x of [a, b]) {
    if (x.rank < 2) {
      throw new ShapeMismatchError({
        what: `${label} expects tensors with shape (N, D) or (..., N, D), got [${a.shape.join(', ')}] and [${b.shape.join(', ')}]`,
        where,
        fix: 'Pass one row per sample in both representations.',
      });
    }
  }
  const batchA = a.shape.slice(0, -2);
  const batchB = b.shape.slice(0, -2);
  if (batchA.length !== batchB.length || batchA.some((size, i) => size !== batchB[i])) {
    throw new ShapeMismatchError({
      what: `Expected matching batch shapes, got [${batchA.join(', ')}] and [${batchB.join(', ')}]`,
      where,
      fix: 'Both representations need the same leading dims.',
    });
  }
  const na = a.shape[a.rank - 2];
  const nb = b.shape[b.rank - 2];
  if (na !== nb) {
    throw new ShapeMismatchError({
      what: `Expected matching sample counts, got ${na} and ${nb}`,
      where,
      fix: 'Row i of both representations must be the same sample.',
    });
  }
  return [readPointSets(a, where, label), readPointSets(b, where, label)];
}
