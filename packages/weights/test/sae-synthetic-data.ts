// Activations with a known sparse dictionary: rows x = offset + Σ aⱼ dⱼ + noise over 128 ground-truth unit
// directions dⱼ in 64 dimensions, each active with probability 4/128 at a magnitude in [0.5, 1.5].
import * as tf from '@tensorflow/tfjs-core';
import { TensorDict } from '@tdhook/core';
import { seededRandom } from '@tdhook/core/plugin';

export const width = 64;
export const truthFeatures = 128;
const activeProbability = 4 / truthFeatures;
const noise = 0.02;

/** The ground-truth directions `[128, 64]` (unit rows) and the constant offset `[64]`, from a fixed seed. */
export function groundTruth(): { directions: Float32Array; offset: Float32Array } {
  const random = seededRandom(1234);
  const gaussian = (): number => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const directions = new Float32Array(truthFeatures * width);
  for (let j = 0; j < truthFeatures; j++) {
    let norm = 0;
    for (let i = 0; i < width; i++) {
      const value = gaussian();
      directions[j * width + i] = value;
      norm += value * value;
    }
    for (let i = 0; i < width; i++)
      directions[j * width + i] = (directions[j * width + i] ?? 0) / Math.sqrt(norm);
  }
  const offset = Float32Array.from({ length: width }, () => 0.3 * gaussian());
  return { directions, offset };
}

/** `rows` activations `[rows, 64]` drawn with `seed` (different seeds, disjoint samples). */
export function syntheticRows(rows: number, seed: number): Float32Array {
  const { directions, offset } = groundTruth();
  const random = seededRandom(seed);
  const gaussian = (): number => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const out = new Float32Array(rows * width);
  for (let r = 0; r < rows; r++) {
    for (let i = 0; i < width; i++) out[r * width + i] = (offset[i] ?? 0) + noise * gaussian();
    for (let j = 0; j < truthFeatures; j++) {
      if (random() >= activeProbability) continue;
      const magnitude = 0.5 + random();
      for (let i = 0; i < width; i++) {
        out[r * width + i] = (out[r * width + i] ?? 0) + magnitude * (directions[j * width + i] ?? 0);
      }
    }
  }
  return out;
}

/** A TensorDict `{ resid: [rows, 64] }`. */
export function syntheticDict(rows: number, seed: number): TensorDict {
  return new TensorDict(
    { resid: tf.tensor2d(syntheticRows(rows, seed), [rows, width]) },
    { batchShape: [rows] },
  );
}

/** The mean over ground-truth directions of the best cosine with any learned direction `[features, 64]`. */
export function meanMaxCosine(learned: Float32Array, features: number): number {
  const { directions } = groundTruth();
  let total = 0;
  for (let j = 0; j < truthFeatures; j++) {
    let best = -1;
    for (let f = 0; f < features; f++) {
      let dot = 0;
      let norm = 0;
      for (let i = 0; i < width; i++) {
        const value = learned[f * width + i] ?? 0;
        dot += value * (directions[j * width + i] ?? 0);
        norm += value * value;
      }
      best = Math.max(best, dot / Math.sqrt(norm || 1));
    }
    total += best;
  }
  return total / truthFeatures;
}
