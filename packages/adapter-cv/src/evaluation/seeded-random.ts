// A small seeded generator in plain JS: random flip orders and noise must be the same on every backend,
// and TF.js treats a seed of 0 as "no seed".

/** mulberry32: uniform numbers in [0, 1) from a 32-bit seed. */
export function seededUniform(seed: number): () => number {
  let state = (seed ^ 0x9e3779b9) >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `count` uniform numbers in [0, 1) from `seed`. */
export function uniformValues(count: number, seed: number): Float32Array {
  const next = seededUniform(seed);
  const values = new Float32Array(count);
  for (let i = 0; i < count; i++) values[i] = next();
  return values;
}
