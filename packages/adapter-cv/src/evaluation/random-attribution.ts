import * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError } from '@tdhook/core';

import { uniformValues } from './seeded-random.js';

/**
 * Random attributions: uniform values in [0, 1) of the given shape, the same for a seed on every backend.
 * Scored with {@link pixelFlipping}, they give the random-order reference curve that a faithful method
 * should beat (as does `order: 'random'`, which needs no tensor); they can also be rendered like any
 * attribution. The caller disposes the tensor.
 *
 * @example
 * const random = randomAttribution([n, 224, 224], 7);
 * const reference = await pixelFlipping({ predict, images, attributions: random });
 * random.dispose();
 */
export function randomAttribution(shape: readonly number[], seed = 0): tf.Tensor {
  const given: unknown = shape; // checked at run time for JS callers
  if (!Array.isArray(given) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw new InvalidValueError({
      what: 'shape must be an array of whole numbers ≥ 0',
      where: 'evaluation/randomAttribution',
      fix: 'E.g. randomAttribution([2, 28, 28], 0).',
    });
  }
  if (!Number.isSafeInteger(seed) || seed < 0) {
    throw new InvalidValueError({
      what: `seed must be a whole number ≥ 0, got ${String(seed)}`,
      where: 'evaluation/randomAttribution',
    });
  }
  const size = shape.reduce((a, b) => a * b, 1);
  // Drawn like the random flip order (seeded JS generator), offset so the two are not the same sequence.
  return tf.tensor(uniformValues(size, seed + 0x51ed), [...shape], 'float32');
}
