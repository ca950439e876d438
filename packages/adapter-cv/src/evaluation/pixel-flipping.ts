import * as tf from '@tensorflow/tfjs-core';

import { areaOverCurve, areaUnderCurve, average, meanCurve } from './curve-summary.js';
import { patchRanks, patchRelevance, pixelRanks } from './flip-order.js';
import { configure, type PixelFlippingConfig } from './pixel-flipping-config.js';
import type { PixelFlippingOptions, PixelFlippingResult } from './pixel-flipping-types.js';
import { replacementValues } from './replacement-values.js';
import { scoreBatch } from './target-scores.js';

/** The tensors every batch gathers from, made once and disposed at the end. */
interface Prepared {
  readonly images: tf.Tensor4D;
  readonly replacement: tf.Tensor4D;
  readonly ranks: tf.Tensor4D;
}

/** Patches flipped at each point of the curve: `round(k · patches / steps)`, from 0 to every patch. */
function stepCounts({ steps, patches }: PixelFlippingConfig): number[] {
  return Array.from({ length: steps + 1 }, (_, k) => Math.round((k * patches) / steps));
}

/** The clean score of each image and the tracked class (the prediction for `'argmax'`). */
async function cleanPass(config: PixelFlippingConfig, images: tf.Tensor4D): Promise<[number[], number[]]> {
  const scores: number[] = [];
  const targets: number[] = [];
  for (let start = 0; start < config.n; start += config.batchSize) {
    const size = Math.min(config.batchSize, config.n - start);
    const given = config.target === 'argmax' ? undefined : config.target.slice(start, start + size);
    const batch = await scoreBatch(config, () => tf.slice(images, start, size), given);
    scores.push(...batch.scores);
    targets.push(...(batch.predicted ?? given ?? []));
  }
  return [scores, targets];
}

/**
 * The perturbed scores, `[image][step − 1]`: the N · steps perturbed images are built batch by batch, each
 * as `where(rank < count, replacement, image)` on gathered rows.
 */
async function perturbedPasses(
  config: PixelFlippingConfig,
  prepared: Prepared,
  counts: readonly number[],
  targets: readonly number[],
): Promise<number[][]> {
  const { n, steps, batchSize } = config;
  const total = n * steps;
  const curves: number[][] = Array.from({ length: n }, () => []);
  for (let start = 0; start < total; start += batchSize) {
    const jobs = Array.from({ length: Math.min(batchSize, total - start) }, (_, j) => start + j);
    const image = jobs.map((job) => Math.floor(job / steps));
    const flipped = jobs.map((job) => counts[(job % steps) + 1] as number);
    const batch = await scoreBatch(
      config,
      () => {
        const rows = tf.tensor1d(image, 'int32');
        const mask = tf.less(
          tf.gather(prepared.ranks, rows),
          tf.tensor4d(flipped, [jobs.length, 1, 1, 1], 'int32'),
        );
        return tf.where(mask, tf.gather(prepared.replacement, rows), tf.gather(prepared.images, rows));
      },
      image.map((i) => targets[i] as number),
    );
    batch.scores.forEach((score, j) => curves[image[j] as number]?.push(score));
    config.onProgress?.(start + jobs.length, total);
  }
  return curves;
}

/**
 * Pixel flipping (Bach et al., 2015) and region perturbation (Samek et al., 2017): flips the pixels (or
 * `patchSize`² patches) of each image in order of decreasing relevance (`order: 'morf'`), replacing them
 * with `baseline` values, and records the target's score at `steps + 1` points from the clean image to
 * every patch flipped. A faithful attribution makes the MoRF curve drop fast: a low `auc` and a high `aopc`
 * compared with `order: 'random'` (or {@link randomAttribution}) and with `order: 'lerf'`.
 *
 * The flip order is computed once per image (a JS sort of patch relevances); the perturbed images of all
 * steps are built on tensors and scored in batches of `batchSize`, `⌈N/batchSize⌉ + ⌈N·steps/batchSize⌉`
 * model calls in all. The result holds plain numbers; the inputs are not disposed.
 *
 * @example
 * const result = await pixelFlipping({
 *   predict: (x) => model.predict(x) as tf.Tensor2D,
 *   images, // [N, 224, 224, 3], normalised
 *   attributions, // [N, 224, 224]
 *   patchSize: 8,
 *   steps: 20,
 *   baseline: 'blur',
 *   onProgress: (done, total) => console.log(`${done}/${total}`),
 * });
 * console.log(result.meanAopc, result.mean);
 */
export async function pixelFlipping(options: PixelFlippingOptions): Promise<PixelFlippingResult> {
  const config = configure(options);
  // Ranking first: bad attributions (NaN) fail before any model call.
  const relevance = config.order === 'random' ? undefined : await patchRelevance(config);
  const ranks = patchRanks(relevance, config);
  const counts = stepCounts(config);
  const prepared: Prepared = tf.tidy(() => {
    const images = tf.cast(config.images, 'float32');
    return { images, replacement: replacementValues(images, config), ranks: pixelRanks(ranks, config) };
  });
  try {
    const [clean, target] = await cleanPass(config, prepared.images);
    const perturbed = await perturbedPasses(config, prepared, counts, target);
    const fractions = counts.map((count) => count / config.patches);
    const curves = perturbed.map((scores, i) => [clean[i] as number, ...scores]);
    const auc = curves.map((curve) => areaUnderCurve(fractions, curve));
    const aopc = curves.map(areaOverCurve);
    return {
      fractions,
      curves,
      mean: meanCurve(curves),
      auc,
      aopc,
      meanAuc: average(auc),
      meanAopc: average(aopc),
      target,
    };
  } finally {
    tf.dispose([prepared.images, prepared.replacement, prepared.ranks]);
  }
}
