// The seeded PRNG of the task generators and the training scripts. Everything random in this package goes
// through it (never Math.random), so a seed fixes a data set.
import { seededRandom } from '@tdhook/core/plugin';

/**
 * A seeded source of uniform numbers in [0, 1).
 *
 * @example
 * const random: Random = createRandom(7);
 * random(); // 0.…
 */
export type Random = () => number;

/**
 * A seeded source (`@tdhook/core/plugin`'s `seededRandom`, mulberry32: every step in Math.imul integer
 * arithmetic). Same seed, same sequence, on every platform.
 *
 * @example
 * import { createRandom } from '@tdhook/nlp-assets';
 * const random = createRandom(42);
 * const a = random(); // the same number on every run
 */
export function createRandom(seed: number): Random {
  return seededRandom(seed);
}

/**
 * A uniform integer in [0, n).
 *
 * @example
 * const die = randomInt(createRandom(1), 6) + 1;
 */
export function randomInt(random: Random, n: number): number {
  return Math.floor(random() * n);
}

/**
 * A uniform element of a non-empty array.
 *
 * @example
 * const name = pick(createRandom(1), ['Mary', 'John']);
 */
export function pick<T>(random: Random, items: readonly T[]): T {
  if (items.length === 0) throw new RangeError('pick: the array is empty.');
  return items[randomInt(random, items.length)] as T;
}

/**
 * A shuffled copy (Fisher–Yates).
 *
 * @example
 * const order = shuffled(createRandom(3), [0, 1, 2, 3]);
 */
export function shuffled<T>(random: Random, items: readonly T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = randomInt(random, i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}
