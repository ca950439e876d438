import * as tf from '@tensorflow/tfjs-core';

import { CvError } from '../errors.js';

/**
 * How {@link attributionMap} folds the colour channels of an attribution into one value per pixel:
 * - `sum`: the signed sum (zennit's heatmaps; LRP relevance is conserved);
 * - `abs-sum`: the sum of magnitudes (captum's `absolute_value`);
 * - `max-abs`: the largest magnitude (Simonyan et al.'s saliency maps);
 * - `l2`: the Euclidean norm over channels;
 * - `positive-sum`: the signed sum with negatives set to 0 (captum's `positive`).
 *
 * @example
 * const reduce: ChannelReduction = 'max-abs';
 */
export type ChannelReduction = 'sum' | 'abs-sum' | 'max-abs' | 'l2' | 'positive-sum';

/**
 * Options of {@link attributionMap}.
 *
 * @example
 * const options: AttributionMapOptions = { reduce: 'abs-sum' };
 */
export interface AttributionMapOptions {
  /** Default `sum`. */
  readonly reduce?: ChannelReduction;
}

const reductions: Readonly<Record<ChannelReduction, (x: tf.Tensor) => tf.Tensor>> = {
  sum: (x) => tf.sum(x, -1),
  'abs-sum': (x) => tf.sum(tf.abs(x), -1),
  'max-abs': (x) => tf.max(tf.abs(x), -1),
  l2: (x) => tf.sqrt(tf.sum(tf.square(x), -1)),
  'positive-sum': (x) => tf.relu(tf.sum(x, -1)),
};

/**
 * Folds the channel axis (last) of an image attribution into a map: `[h, w, c]` → `[h, w]`, a batch
 * `[n, h, w, c]` → `[n, h, w]`. The caller owns the returned tensor.
 *
 * @example
 * const map = attributionMap(attribution, { reduce: 'sum' }); // [n, h, w]
 * const [first] = tf.unstack(map);
 */
export function attributionMap(attribution: tf.Tensor3D, options?: AttributionMapOptions): tf.Tensor2D;
export function attributionMap(attribution: tf.Tensor4D, options?: AttributionMapOptions): tf.Tensor3D;
export function attributionMap(attribution: tf.Tensor, options?: AttributionMapOptions): tf.Tensor;
export function attributionMap(attribution: tf.Tensor, options: AttributionMapOptions = {}): tf.Tensor {
  const reduce = options.reduce ?? 'sum';
  if (!(attribution instanceof tf.Tensor) || (attribution.rank !== 3 && attribution.rank !== 4)) {
    throw new CvError('E_CV_IMAGE', {
      what: `attributionMap needs an HWC or NHWC tensor, got ${attribution instanceof tf.Tensor ? `shape ${JSON.stringify(attribution.shape)}` : typeof attribution}`,
      where: 'attributionMap attribution',
      fix: 'Pass the attribution of an image input ([h, w, c] or [n, h, w, c]); a 2-D map needs no reduction.',
    });
  }
  if (!Object.hasOwn(reductions, reduce)) {
    throw new CvError('E_CV_IMAGE', {
      what: `Unknown reduce ${JSON.stringify(reduce)}`,
      where: 'attributionMap reduce',
      fix: `Use one of ${Object.keys(reductions).join(', ')}.`,
    });
  }
  return tf.tidy(() => reductions[reduce](tf.cast(attribution, 'float32')));
}
