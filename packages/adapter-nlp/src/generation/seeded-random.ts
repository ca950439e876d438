// A small seeded PRNG (mulberry32): 32-bit integer arithmetic only (Math.imul, >>>), so the same seed gives
// the same draws on every JavaScript engine. Seeded sampling never touches Math.random.

/** Returns a function that yields uniform floats in [0, 1), reproducibly from `seed`. */
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
