// One seeded PRNG for every package (mulberry32): 32-bit integer arithmetic only (Math.imul, >>>), so a seed
// gives the same draws on every JavaScript engine and backend. Sampling, shuffles and generated data sets use
// it instead of Math.random (not seedable) or TF.js's seeded ops (which treat a seed of 0 as "no seed").

/**
 * A reproducible source of uniform numbers in [0, 1) from a 32-bit `seed` (mulberry32).
 *
 * @example
 * import { seededRandom } from '@tdhook/core/plugin';
 * const random = seededRandom(42);
 * const order = [0, 1, 2, 3].sort(() => random() - 0.5); // the same order on every run
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
