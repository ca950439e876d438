// Random flip orders and noise must be the same on every backend: core's seeded generator (mulberry32), with
// the seed mixed once so that the orders published with this package stay what they were.
import { seededRandom } from '@tdhook/core/plugin';

/** Uniform numbers in [0, 1) from a 32-bit seed. */
export function seededUniform(seed: number): () => number {
  return seededRandom(seed ^ 0x9e3779b9);
}

/** `count` uniform numbers in [0, 1) from `seed`. */
export function uniformValues(count: number, seed: number): Float32Array {
  const next = seededUniform(seed);
  const values = new Float32Array(count);
  for (let i = 0; i < count; i++) values[i] = next();
  return values;
}
