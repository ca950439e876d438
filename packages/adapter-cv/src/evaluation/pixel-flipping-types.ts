import type * as tf from '@tensorflow/tfjs-core';

/**
 * What a flipped pixel is replaced by:
 * - a number: that value in every channel (e.g. `0`, the dataset mean of normalised inputs);
 * - `'mean'`: the image's own mean, per channel;
 * - `'blur'`: the same pixel of a Gaussian-blurred copy of the image (`blurSigma`), which removes detail
 *   but keeps colour, so the curve measures structure rather than an off-distribution colour change;
 * - `'uniform-noise'`: noise drawn once per image, uniform in the image's `[min, max]` (`seed`), as in
 *   Samek et al. (2017).
 *
 * @example
 * const baseline: PixelFlippingBaseline = 'blur';
 */
export type PixelFlippingBaseline = number | 'mean' | 'blur' | 'uniform-noise';

/**
 * The order in which patches are flipped: `'morf'` most relevant first (the curve of a faithful attribution
 * drops fast), `'lerf'` least relevant first (it should stay high), `'random'` a seeded random order that
 * ignores the attributions: the reference every method should beat.
 *
 * @example
 * const order: FlipOrder = 'lerf';
 */
export type FlipOrder = 'morf' | 'lerf' | 'random';

/**
 * How `[N, H, W, C]` attributions become one relevance per pixel: `'sum'` keeps signs (the LRP and
 * input × gradient convention), `'abs-sum'` ranks by magnitude, `'max'` takes the largest channel.
 *
 * @example
 * const reduction: PatchRelevanceReduction = 'abs-sum';
 */
export type PatchRelevanceReduction = 'sum' | 'abs-sum' | 'max';

/**
 * Options of {@link pixelFlipping}.
 *
 * @example
 * const options: PixelFlippingOptions = {
 *   predict: (x) => model.predict(x) as tf.Tensor2D,
 *   images,
 *   attributions,
 *   patchSize: 8,
 *   steps: 20,
 *   baseline: 'blur',
 * };
 */
export interface PixelFlippingOptions {
  /**
   * The model: images `[B, H, W, C]` → scores `[B, classes]`. Called synchronously inside `tf.tidy`, so its
   * intermediate tensors are freed; it must not dispose its input. Called on at most `batchSize` images.
   */
  readonly predict: (x: tf.Tensor4D) => tf.Tensor2D;
  /** The model inputs `[N, H, W, C]`, already normalised. Not disposed. */
  readonly images: tf.Tensor4D;
  /**
   * The relevance of each pixel, `[N, H, W]` or `[N, H, W, C]` (channels reduced by `channelReduction`; C
   * may also be 1). No NaN or ±Infinity. Only its shape is used when `order` is `'random'`. Not disposed.
   */
  readonly attributions: tf.Tensor;
  /** The class whose score is tracked, per image, or `'argmax'`: the class predicted on the clean image. Default `'argmax'`. */
  readonly target?: readonly number[] | 'argmax';
  /**
   * Side of the square patches flipped together (1: pixel flipping; k: region perturbation over k×k
   * patches, ranked by their summed relevance). Must divide H and W. Default `1`.
   */
  readonly patchSize?: number;
  /**
   * Points on the curve after the clean one: step k flips `round(k · patches / steps)` patches, so the curve
   * has `steps + 1` points and its last one has every patch flipped. At most the number of patches per
   * image. Default `min(20, patches)`.
   */
  readonly steps?: number;
  /** The replacement values. Default `0`. */
  readonly baseline?: PixelFlippingBaseline;
  /** Flip order. Default `'morf'`. */
  readonly order?: FlipOrder;
  /** Track the raw output (`'logit'`) or its softmax (`'probability'`, needs ≥ 2 classes). Default `'logit'`. */
  readonly score?: 'logit' | 'probability';
  /** How channel attributions become pixel relevance. Default `'sum'`. */
  readonly channelReduction?: PatchRelevanceReduction;
  /** Seed (a whole number ≥ 0) of `'uniform-noise'` and of `order: 'random'`. Default `0`. */
  readonly seed?: number;
  /** Standard deviation, in pixels, of the `'blur'` baseline. Default `2`. */
  readonly blurSigma?: number;
  /** At most this many images per model call (bounds memory). Default `32`. */
  readonly batchSize?: number;
  /** Called after each model call on perturbed images with the number done so far and the total `N · steps`. */
  readonly onProgress?: (done: number, total: number) => void;
}

/**
 * What {@link pixelFlipping} returns: plain numbers, nothing to dispose.
 *
 * @example
 * const result: PixelFlippingResult = await pixelFlipping(options);
 * console.log(result.fractions, result.mean, result.meanAopc);
 */
export interface PixelFlippingResult {
  /** The fraction of patches flipped at each point: `steps + 1` values from 0 to 1. */
  readonly fractions: number[];
  /** Per image, the target's score at each point of `fractions` (`curves[n][0]` is the clean score). */
  readonly curves: number[][];
  /** The mean curve over images. */
  readonly mean: number[];
  /** Per image, the area under its curve over `fractions` (trapezoid rule, raw scores). Lower is better for MoRF. */
  readonly auc: number[];
  /**
   * Per image, the area over the perturbation curve (Samek et al., 2017):
   * `1/(steps + 1) · Σ_{k=0..steps} (score_0 − score_k)`. Higher is better for MoRF.
   */
  readonly aopc: number[];
  /** Mean of `auc` over images. */
  readonly meanAuc: number;
  /** Mean of `aopc` over images. */
  readonly meanAopc: number;
  /** The class tracked for each image (resolved from `'argmax'` if asked). */
  readonly target: number[];
}
