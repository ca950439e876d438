// The flip order is computed once per image, in JS, on patch relevances (N · patches numbers); each step's
// mask is then one comparison on tensors: flipped = rank < count.
import * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError } from '@tdhook/core';

import { where, type PixelFlippingConfig } from './pixel-flipping-config.js';
import { seededUniform } from './seeded-random.js';

/** Per-pixel relevance [N, H, W] from [N, H, W] or [N, H, W, C] attributions. */
function pixelRelevance(config: PixelFlippingConfig): tf.Tensor3D {
  const a = tf.cast(config.attributions, 'float32');
  if (a.rank === 3) return a as tf.Tensor3D;
  switch (config.channelReduction) {
    case 'sum':
      return tf.sum(a, 3);
    case 'abs-sum':
      return tf.sum(tf.abs(a), 3);
    case 'max':
      return tf.max(a, 3);
  }
}

/** The summed relevance of each patch, `[N · patches]` in row-major patch order. Rejects NaN and ±Infinity. */
export async function patchRelevance(config: PixelFlippingConfig): Promise<Float32Array> {
  const { n, h, w, patchSize: p } = config;
  const summed = tf.tidy(() => tf.sum(tf.reshape(pixelRelevance(config), [n, h / p, p, w / p, p]), [2, 4]));
  const values = (await summed.data()) as Float32Array;
  summed.dispose();
  // A NaN anywhere in a patch makes its sum NaN, so checking the sums checks every value.
  const bad = values.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) {
    throw new InvalidValueError({
      what: `attributions of image ${Math.floor(bad / config.patches)} contain NaN or ±Infinity`,
      where,
      fix: 'Check the attribution method (e.g. a division by zero); they cannot be ranked.',
    });
  }
  return values;
}

/**
 * The rank of every patch in the flip order, per image: `ranks[i · patches + u]` is the step count after
 * which patch u of image i is flipped. Ties keep patch order (the sort is stable).
 */
export function patchRanks(relevance: Float32Array | undefined, config: PixelFlippingConfig): Int32Array {
  const { n, patches, order } = config;
  const ranks = new Int32Array(n * patches);
  const random = seededUniform(config.seed);
  for (let i = 0; i < n; i++) {
    const units = Array.from({ length: patches }, (_, u) => u);
    if (order === 'random' || relevance === undefined) {
      // Fisher–Yates shuffle with the seeded generator, continuing across images.
      for (let u = patches - 1; u > 0; u--) {
        const v = Math.floor(random() * (u + 1));
        [units[u], units[v]] = [units[v] as number, units[u] as number];
      }
    } else {
      const offset = i * patches;
      const sign = order === 'morf' ? -1 : 1;
      units.sort((a, b) => sign * ((relevance[offset + a] as number) - (relevance[offset + b] as number)));
    }
    units.forEach((unit, rank) => (ranks[i * patches + unit] = rank));
  }
  return ranks;
}

/** Each pixel's patch rank, as an int32 tensor [N, H, W, 1] (a mask for k flipped patches is `rank < k`). */
export function pixelRanks(ranks: Int32Array, config: PixelFlippingConfig): tf.Tensor4D {
  const { n, h, w, patchSize: p, patches } = config;
  const perRow = w / p;
  const pixels = new Int32Array(n * h * w);
  for (let i = 0; i < n; i++) {
    for (let y = 0; y < h; y++) {
      const row = i * patches + Math.floor(y / p) * perRow;
      for (let x = 0; x < w; x++) pixels[(i * h + y) * w + x] = ranks[row + Math.floor(x / p)] as number;
    }
  }
  return tf.tensor4d(pixels, [n, h, w, 1], 'int32');
}
