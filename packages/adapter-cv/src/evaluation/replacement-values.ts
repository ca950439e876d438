// The values flipped pixels take, one full [N, H, W, C] tensor computed once: every step of an image then
// uses the same replacement, so the curve only changes where more pixels are flipped.
import * as tf from '@tensorflow/tfjs-core';

import type { PixelFlippingConfig } from './pixel-flipping-config.js';
import { uniformValues } from './seeded-random.js';

/** A normalised 1-D Gaussian, radius ⌈3σ⌉. */
function gaussian(sigma: number): number[] {
  const radius = Math.ceil(3 * sigma);
  const weights = Array.from({ length: 2 * radius + 1 }, (_, i) =>
    Math.exp(-((i - radius) ** 2) / (2 * sigma ** 2)),
  );
  const total = weights.reduce((a, b) => a + b, 0);
  return weights.map((v) => v / total);
}

/** Separable Gaussian blur of every channel, zero padding ('same'). */
function separableBlur(x: tf.Tensor4D, weights: number[]): tf.Tensor4D {
  const c = x.shape[3];
  const k = weights.length;
  const column = tf.tile<tf.Tensor4D>(tf.tensor4d(weights, [k, 1, 1, 1]), [1, 1, c, 1]);
  const row = tf.reshape<tf.Rank.R4>(column, [1, k, c, 1]);
  return tf.depthwiseConv2d(tf.depthwiseConv2d(x, column, 1, 'same'), row, 1, 'same');
}

/**
 * Gaussian blur, normalised by the blur of an all-ones image: near the borders the kernel is renormalised
 * over the pixels inside, so edges do not darken towards the zero padding.
 */
function blur(images: tf.Tensor4D, sigma: number): tf.Tensor4D {
  const [, h, w] = images.shape;
  const weights = gaussian(sigma);
  return tf.div(separableBlur(images, weights), separableBlur(tf.ones([1, h, w, 1]), weights));
}

/** Noise uniform in each image's [min, max], from the seeded JS generator (the same on every backend). */
function uniformNoise(images: tf.Tensor4D, seed: number): tf.Tensor4D {
  const low = tf.min(images, [1, 2, 3], true);
  const high = tf.max(images, [1, 2, 3], true);
  const unit = tf.tensor(uniformValues(images.size, seed), images.shape, 'float32');
  return tf.add(low, tf.mul(tf.sub(high, low), unit));
}

/** The replacement of every pixel of the float32 `images`, shaped like them. Call inside `tf.tidy`. */
export function replacementValues(images: tf.Tensor4D, config: PixelFlippingConfig): tf.Tensor4D {
  const { baseline } = config;
  if (typeof baseline === 'number') return tf.fill(images.shape, baseline, 'float32');
  switch (baseline) {
    case 'mean':
      return tf.broadcastTo(tf.mean(images, [1, 2], true), images.shape);
    case 'blur':
      return blur(images, config.blurSigma);
    case 'uniform-noise':
      return uniformNoise(images, config.seed);
  }
}
