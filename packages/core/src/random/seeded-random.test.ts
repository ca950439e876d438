import { describe, expect, it } from 'vitest';

import { seededRandom } from './seeded-random.js';

describe('seededRandom', () => {
  it('is mulberry32: reproducible, seed-dependent, uniform in [0, 1)', () => {
    expect(Array.from({ length: 5 }, seededRandom(7))).toEqual(Array.from({ length: 5 }, seededRandom(7)));
    expect(seededRandom(8)()).not.toBe(seededRandom(7)());
    // mulberry32's first draw for seed 0, as every implementation gives it.
    expect(seededRandom(0)()).toBeCloseTo(0.26642920868471265, 15);
    const draws = Array.from({ length: 20_000 }, seededRandom(42));
    expect(Math.min(...draws)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...draws)).toBeLessThan(1);
    expect(draws.reduce((sum, value) => sum + value, 0) / draws.length).toBeCloseTo(0.5, 2);
  });
});
