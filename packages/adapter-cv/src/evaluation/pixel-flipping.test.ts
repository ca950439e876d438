import * as tf from '@tensorflow/tfjs-core';
import { afterEach, describe, expect, it } from 'vitest';

import { pixelFlipping, randomAttribution, type PixelFlippingOptions } from './index.js';

// Tensors made by a test, disposed after it (the shared setup checks for leaks after the test).
let owned: tf.Tensor[] = [];
function keep<T extends tf.Tensor>(tensor: T): T {
  owned.push(tensor);
  return tensor;
}
afterEach(() => {
  tf.dispose(owned);
  owned = [];
});

/**
 * A linear model on [H, W, C] images: logit 0 is Σ w ⊙ x, logit 1 its negation (or a single logit), so the
 * exact attribution of class 0 is w ⊙ x and flipping pixel i to b changes the score by w_i (b − x_i).
 */
function linear(weights: number[], shape: [number, number, number], classes: 1 | 2 = 2) {
  return (x: tf.Tensor4D): tf.Tensor2D => {
    const s = tf.sum<tf.Tensor1D>(tf.mul(x, tf.tensor4d(weights, [1, ...shape])), [1, 2, 3]);
    return tf.reshape<tf.Rank.R2>(classes === 1 ? s : tf.stack([s, tf.neg(s)], 1), [-1, classes]);
  };
}

// The hand-made case: a 2×2 grey image x = [1, 2, 3, 4], w = [4, −1, 2, 0.5]; w ⊙ x = [4, −2, 6, 2], score 10.
const x = [1, 2, 3, 4];
const w = [4, -1, 2, 0.5];
const wx = x.map((v, i) => v * (w[i] as number));
function tiny(overrides: Partial<PixelFlippingOptions> = {}): PixelFlippingOptions {
  return {
    predict: linear(w, [2, 2, 1]),
    images: keep(tf.tensor4d(x, [1, 2, 2, 1])),
    attributions: keep(tf.tensor3d(wx, [1, 2, 2])),
    steps: 4,
    ...overrides,
  };
}

function expectClose(actual: readonly number[], expected: readonly number[], digits = 5): void {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((v, i) => {
    expect(v).toBeCloseTo(expected[i] as number, digits);
  });
}

describe('pixelFlipping on a linear model', () => {
  it('MoRF flips 6, 4, 2, −2 in turn: exact curve, AUC and AOPC', async () => {
    const result = await pixelFlipping(tiny());
    expect(result.fractions).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expectClose(result.curves[0] ?? [], [10, 4, 0, -2, 0]);
    expectClose(result.mean, [10, 4, 0, -2, 0]);
    // Trapezoid: 0.25 · (7 + 2 − 1 − 1); AOPC: (0 + 6 + 10 + 12 + 10) / 5.
    expectClose(result.auc, [1.75]);
    expectClose(result.aopc, [7.6]);
    expect(result.meanAuc).toBeCloseTo(1.75, 5);
    expect(result.meanAopc).toBeCloseTo(7.6, 5);
    expect(result.target).toEqual([0]);
  });

  it('LeRF flips −2, 2, 4, 6: the curve first rises', async () => {
    const result = await pixelFlipping(tiny({ order: 'lerf' }));
    expectClose(result.curves[0] ?? [], [10, 12, 10, 6, 0]);
    expectClose(result.auc, [8.25]);
    expectClose(result.aopc, [2.4]);
  });

  it('the true attribution beats random orders and LeRF on a larger image', async () => {
    const h = 8;
    const weights = Array.from({ length: h * h }, (_, i) => Math.sin(i * 1.7) * 3);
    const pixels = Array.from({ length: h * h }, (_, i) => 1 + Math.cos(i * 0.9));
    const options: PixelFlippingOptions = {
      predict: linear(weights, [h, h, 1]),
      images: keep(tf.tensor4d(pixels, [1, h, h, 1])),
      attributions: keep(
        tf.tensor3d(
          pixels.map((v, i) => v * (weights[i] as number)),
          [1, h, h],
        ),
      ),
      steps: 16,
    };
    const morf = await pixelFlipping(options);
    const lerf = await pixelFlipping({ ...options, order: 'lerf' });
    const random = await pixelFlipping({ ...options, order: 'random', seed: 3 });
    const noise = keep(randomAttribution([1, h, h], 5));
    const randomMap = await pixelFlipping({ ...options, attributions: noise });
    for (const other of [lerf, random, randomMap]) {
      expect(morf.meanAuc).toBeLessThan(other.meanAuc);
      expect(morf.meanAopc).toBeGreaterThan(other.meanAopc);
      // Removing the largest contributions first gives the lowest score at every point.
      morf.mean.forEach((v, k) => {
        expect(v).toBeLessThanOrEqual((other.mean[k] as number) + 1e-4);
      });
    }
    expect(random.mean[0]).toBeCloseTo(morf.mean[0] ?? 0, 5);
    expect(random.mean[16]).toBeCloseTo(morf.mean[16] ?? 0, 4);
  });

  it('order: random is reproducible for a seed and changes with it', async () => {
    const h = 4;
    const options: PixelFlippingOptions = {
      predict: linear(
        Array.from({ length: 16 }, (_, i) => i - 7),
        [h, h, 1],
      ),
      images: keep(tf.ones([1, h, h, 1])),
      attributions: keep(tf.zeros([1, h, h])),
      order: 'random',
      steps: 16,
    };
    const a = await pixelFlipping({ ...options, seed: 1 });
    const b = await pixelFlipping({ ...options, seed: 1 });
    const c = await pixelFlipping({ ...options, seed: 2 });
    expect(a.curves).toEqual(b.curves);
    expect(a.curves).not.toEqual(c.curves);
  });

  it('patchSize 2 flips 2×2 patches ranked by their summed relevance', async () => {
    // 4×4 image of ones, w by patch: top-left 1, top-right 3, bottom-left −2, bottom-right 0.5 (per pixel).
    const perPatch = [1, 3, -2, 0.5];
    const weights = Array.from({ length: 16 }, (_, i) => {
      const patch = Math.floor(Math.floor(i / 4) / 2) * 2 + Math.floor((i % 4) / 2);
      return perPatch[patch] as number;
    });
    const result = await pixelFlipping({
      predict: linear(weights, [4, 4, 1]),
      images: keep(tf.ones([1, 4, 4, 1])),
      attributions: keep(tf.tensor3d(weights, [1, 4, 4])),
      patchSize: 2,
    });
    // steps defaults to min(20, patches) = 4; patch scores 4 · [1, 3, −2, 0.5] = [4, 12, −8, 2], total 10.
    expect(result.fractions).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expectClose(result.curves[0] ?? [], [10, -2, -6, -8, 0]);
  });

  it('steps that do not divide the patches round the flipped counts', async () => {
    const result = await pixelFlipping(tiny({ steps: 3 }));
    // round(k · 4 / 3) = 0, 1, 3, 4 pixels flipped.
    expect(result.fractions).toEqual([0, 0.25, 0.75, 1]);
    expectClose(result.curves[0] ?? [], [10, 4, -2, 0]);
  });
});

describe('baselines', () => {
  it('a number replaces flipped pixels by that value', async () => {
    const result = await pixelFlipping(tiny({ baseline: 1 }));
    // Σw = 5.5; flipping i adds w_i (1 − x_i): 0 (i=2 → −4), i=0 → 0, i=3 → −1.5, i=1 → +1.
    expectClose(result.curves[0] ?? [], [10, 6, 6, 4.5, 5.5]);
  });

  it("'mean' uses each image's channel mean", async () => {
    const result = await pixelFlipping(tiny({ baseline: 'mean' }));
    // Mean 2.5: 10 − 1 → 9, + 6 → 15, − 0.75 → 14.25, − 0.5 → 13.75 = 2.5 · Σw.
    expectClose(result.curves[0] ?? [], [10, 9, 15, 14.25, 13.75]);
  });

  it("'mean' is per channel", async () => {
    // 1×2 image, 2 channels: channel means 2 and 20; w = 1 on channel 0, 0 on channel 1.
    const result = await pixelFlipping({
      predict: linear([1, 0, 1, 0], [1, 2, 2]),
      images: keep(tf.tensor4d([1, 10, 3, 30], [1, 1, 2, 2])),
      attributions: keep(tf.tensor3d([1, 3], [1, 1, 2])),
      baseline: 'mean',
      steps: 2,
    });
    expectClose(result.curves[0] ?? [], [4, 3, 4]);
  });

  it("'blur' keeps a constant image and smooths a varying one", async () => {
    const flat = await pixelFlipping({
      predict: linear(
        Array.from({ length: 16 }, () => 1),
        [4, 4, 1],
      ),
      images: keep(tf.fill([1, 4, 4, 1], 0.7)),
      attributions: keep(tf.tidy(() => tf.reshape(tf.range(0, 16), [1, 4, 4]))),
      baseline: 'blur',
      blurSigma: 1,
    });
    for (const v of flat.curves[0] ?? []) expect(v).toBeCloseTo(11.2, 4);
    // A single bright pixel: its blurred value is lower, the blur of its dark neighbours higher; the blur
    // keeps the total close to the original (renormalised at the borders, so not exactly).
    const spike = [0, 0, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    const onSpike = await pixelFlipping({
      predict: linear(
        spike.map((v) => (v > 0 ? 1 : 0)),
        [4, 4, 1],
      ),
      images: keep(tf.tensor4d(spike, [1, 4, 4, 1])),
      attributions: keep(tf.tensor3d(spike, [1, 4, 4])),
      baseline: 'blur',
      blurSigma: 1,
      steps: 1,
    });
    const [clean, flipped] = onSpike.curves[0] ?? [];
    expect(clean).toBeCloseTo(8, 5);
    expect(flipped).toBeGreaterThan(0.5);
    expect(flipped).toBeLessThan(4);
  });

  it("'uniform-noise' draws within the image range, reproducibly for a seed", async () => {
    const h = 4;
    const pixels = Array.from({ length: h * h }, (_, i) => i / 4 - 1); // −1 … 2.75
    const options: PixelFlippingOptions = {
      // Tracks pixel 0 only; it is the most relevant, so step 1 replaces it by noise.
      predict: linear([1, ...Array.from({ length: 15 }, () => 0)], [h, h, 1]),
      images: keep(tf.tensor4d(pixels, [1, h, h, 1])),
      attributions: keep(tf.tensor3d([9, ...pixels.slice(1)], [1, h, h])),
      baseline: 'uniform-noise',
      steps: 16,
    };
    const a = await pixelFlipping({ ...options, seed: 4 });
    const b = await pixelFlipping({ ...options, seed: 4 });
    const c = await pixelFlipping({ ...options, seed: 5 });
    expect(a.curves).toEqual(b.curves);
    expect(a.curves[0]?.[1]).not.toEqual(c.curves[0]?.[1]);
    for (const v of a.curves[0]?.slice(1) ?? []) {
      expect(v).toBeGreaterThanOrEqual(-1);
      expect(v).toBeLessThanOrEqual(2.75);
    }
    // Once flipped, pixel 0 keeps the same noise value.
    expect(new Set(a.curves[0]?.slice(1)).size).toBe(1);
  });
});

describe('scores, targets and attributions', () => {
  it("score: 'probability' tracks the softmax of the logits", async () => {
    const logits = await pixelFlipping(tiny());
    const probs = await pixelFlipping(tiny({ score: 'probability' }));
    // Logits s and −s: p₀ = σ(2s).
    const expected = (logits.curves[0] ?? []).map((s) => 1 / (1 + Math.exp(-2 * s)));
    expectClose(probs.curves[0] ?? [], expected);
  });

  it('targets: argmax by default per image, or given', async () => {
    const images = keep(tf.tensor4d([...x, ...x.map((v) => -v)], [2, 2, 2, 1]));
    const attributions = keep(tf.tensor3d([...wx, ...wx], [2, 2, 2]));
    const base = { predict: linear(w, [2, 2, 1]), images, attributions, steps: 4 };
    const argmax = await pixelFlipping(base);
    // Image 2 scores −10 on class 0, so its argmax is class 1 (logit −s), whose score rises to 10.
    expect(argmax.target).toEqual([0, 1]);
    expectClose(argmax.curves[0] ?? [], [10, 4, 0, -2, 0]);
    expectClose(argmax.curves[1] ?? [], [10, 4, 0, -2, 0]);
    const given = await pixelFlipping({ ...base, target: [1, 0] });
    expect(given.target).toEqual([1, 0]);
    expectClose(given.curves[0] ?? [], [-10, -4, 0, 2, 0]);
    expectClose(given.mean, [-10, -4, 0, 2, 0]);
  });

  it('a single-logit model works with the default target', async () => {
    const result = await pixelFlipping(tiny({ predict: linear(w, [2, 2, 1], 1) }));
    expectClose(result.curves[0] ?? [], [10, 4, 0, -2, 0]);
  });

  it('reduces channel attributions by sum, abs-sum or max', async () => {
    // 1×2 image of ones, 2 channels; w: pixel 0 → 1, pixel 1 → 10 (both channels); clean score 22.
    const options: PixelFlippingOptions = {
      predict: linear([1, 1, 10, 10], [1, 2, 2]),
      images: keep(tf.ones([1, 1, 2, 2])),
      attributions: keep(tf.tensor4d([3, -3, 1, 0], [1, 1, 2, 2])),
      steps: 2,
    };
    // sum: [0, 1] → pixel 1 first; abs-sum: [6, 1] and max: [3, 1] → pixel 0 first.
    expect((await pixelFlipping(options)).curves[0]).toEqual([22, 2, 0]);
    expect((await pixelFlipping({ ...options, channelReduction: 'abs-sum' })).curves[0]).toEqual([22, 20, 0]);
    expect((await pixelFlipping({ ...options, channelReduction: 'max' })).curves[0]).toEqual([22, 20, 0]);
    const single = keep(tf.tensor4d([0, 1], [1, 1, 2, 1]));
    expect((await pixelFlipping({ ...options, attributions: single })).curves[0]).toEqual([22, 2, 0]);
  });

  it('gives the same result for any batchSize, and reports progress up to the total', async () => {
    const images = keep(tf.tensor4d([...x, ...x.map((v) => v * 2)], [2, 2, 2, 1]));
    const attributions = keep(tf.tensor3d([...wx, ...wx], [2, 2, 2]));
    const base = { predict: linear(w, [2, 2, 1]), images, attributions, steps: 4 };
    const whole = await pixelFlipping(base);
    const progress: [number, number][] = [];
    const batched = await pixelFlipping({
      ...base,
      batchSize: 3,
      onProgress: (done, total) => progress.push([done, total]),
    });
    expect(batched).toEqual(whole);
    expect(progress).toEqual([
      [3, 8],
      [6, 8],
      [8, 8],
    ]);
  });

  it('calls predict on at most batchSize images', async () => {
    const sizes: number[] = [];
    const model = linear(w, [2, 2, 1]);
    const images = keep(tf.tensor4d([...x, ...x, ...x], [3, 2, 2, 1]));
    const attributions = keep(tf.tensor3d([...wx, ...wx, ...wx], [3, 2, 2]));
    await pixelFlipping({
      predict: (batch) => {
        sizes.push(batch.shape[0]);
        return model(batch);
      },
      images,
      attributions,
      steps: 4,
      batchSize: 5,
    });
    // One clean call on 3 images, then 12 perturbed images in calls of 5, 5, 2.
    expect(sizes).toEqual([3, 5, 5, 2]);
  });
});

describe('errors', () => {
  it('rejects attributions that do not fit the images', async () => {
    const images = keep(tf.zeros<tf.Rank.R4>([1, 2, 2, 3]));
    for (const shape of [
      [1, 2, 3],
      [2, 2, 2],
      [1, 2, 2, 2],
      [1, 4],
    ]) {
      const attributions = keep(tf.zeros(shape));
      await expect(pixelFlipping(tiny({ images, attributions }))).rejects.toMatchObject({
        code: 'E_SHAPE_MISMATCH',
      });
    }
  });

  it('rejects bad steps, patch sizes, batch sizes, seeds and names', async () => {
    const invalid: Partial<PixelFlippingOptions>[] = [
      { steps: 0 },
      { steps: 1.5 },
      { steps: 5 }, // more than the 4 pixels
      { batchSize: 0 },
      { seed: -1 },
      { blurSigma: 0 },
      { baseline: Number.NaN },
      { baseline: 'zero' as 'mean' },
      { order: 'best' as 'morf' },
      { score: 'logits' as 'logit' },
      { channelReduction: 'mean' as 'sum' },
      { target: [0, 1] }, // one image
      { target: [-1] },
      { target: [3] }, // out of range of 2 classes (found on the clean pass)
      { onProgress: 3 as unknown as () => void },
    ];
    for (const options of invalid) {
      await expect(pixelFlipping(tiny(options)), JSON.stringify(options)).rejects.toMatchObject({
        code: 'E_INVALID_VALUE',
      });
    }
  });

  it('rejects a patchSize that does not divide the image, naming ones that do', async () => {
    const options: PixelFlippingOptions = {
      predict: linear(
        Array.from({ length: 24 }, () => 1),
        [4, 6, 1],
      ),
      images: keep(tf.ones<tf.Rank.R4>([1, 4, 6, 1])),
      attributions: keep(tf.ones([1, 4, 6])),
      patchSize: 4,
    };
    await expect(pixelFlipping(options)).rejects.toMatchObject({
      code: 'E_SHAPE_MISMATCH',
      message: expect.stringContaining('1, 2') as string,
    });
  });

  it('rejects NaN or Infinity in the attributions before any model call', async () => {
    let calls = 0;
    const model = linear(w, [2, 2, 1]);
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY]) {
      const attributions = keep(tf.tensor3d([1, bad, 0, 2], [1, 2, 2]));
      const predict = (batch: tf.Tensor4D): tf.Tensor2D => {
        calls++;
        return model(batch);
      };
      await expect(pixelFlipping(tiny({ attributions, predict }))).rejects.toMatchObject({
        code: 'E_INVALID_VALUE',
      });
    }
    expect(calls).toBe(0);
    // NaN is fine for order: 'random', which ignores the values.
    const attributions = keep(tf.tensor3d([1, Number.NaN, 0, 2], [1, 2, 2]));
    await expect(pixelFlipping(tiny({ attributions, order: 'random' }))).resolves.toBeDefined();
  });

  it('rejects a predict output of the wrong shape, and probability over one class', async () => {
    const wrongRows = (batch: tf.Tensor4D): tf.Tensor2D => tf.zeros([batch.shape[0] + 1, 2]);
    const flat = (batch: tf.Tensor4D): tf.Tensor2D =>
      tf.zeros([batch.shape[0], 2, 1]) as unknown as tf.Tensor2D;
    for (const predict of [wrongRows, flat]) {
      await expect(pixelFlipping(tiny({ predict }))).rejects.toMatchObject({ code: 'E_SHAPE_MISMATCH' });
    }
    await expect(
      pixelFlipping(tiny({ predict: linear(w, [2, 2, 1], 1), score: 'probability' })),
    ).rejects.toMatchObject({ code: 'E_INVALID_VALUE' });
  });

  it('frees its tensors when predict throws midway', async () => {
    let calls = 0;
    const model = linear(w, [2, 2, 1]);
    const before = tf.memory().numTensors;
    const options = tiny({
      batchSize: 2,
      predict: (batch) => {
        if (++calls === 2) throw new Error('model failed');
        return model(batch);
      },
    });
    const created = tf.memory().numTensors - before; // the inputs tiny() made
    await expect(pixelFlipping(options)).rejects.toThrow('model failed');
    expect(tf.memory().numTensors).toBe(before + created);
  });
});

describe('randomAttribution', () => {
  it('is uniform in [0, 1), reproducible for a seed', async () => {
    const a = keep(randomAttribution([2, 3, 3], 1));
    const b = keep(randomAttribution([2, 3, 3], 1));
    const c = keep(randomAttribution([2, 3, 3], 2));
    expect(a.shape).toEqual([2, 3, 3]);
    const values = Array.from(await a.data());
    expect(values.every((v) => v >= 0 && v < 1)).toBe(true);
    expect(Array.from(await b.data())).toEqual(values);
    expect(Array.from(await c.data())).not.toEqual(values);
    expect(() => randomAttribution([2, -1], 0)).toThrow(/whole numbers/);
    expect(() => randomAttribution([2], 0.5)).toThrow(/seed/);
  });
});
