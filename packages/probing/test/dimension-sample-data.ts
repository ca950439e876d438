// Seeded point clouds for the dimension and similarity tests (the same values on every backend).
import * as tf from '@tensorflow/tfjs-core';

/** A seeded standard-normal generator (mulberry32 + Box–Muller). */
export function normalSource(seed: number): () => number {
  let state = seed >>> 0;
  const uniform = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) + 0.5) / 2 ** 32;
  };
  return () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
}

/** `[...batch, n, d]` standard-normal values. */
export function gaussianPoints(shape: readonly number[], seed: number, scale = 1, shift = 0): tf.Tensor {
  const next = normalSource(seed);
  const size = shape.reduce((product, n) => product * n, 1);
  return tf.tensor(
    Float32Array.from({ length: size }, () => shift + scale * next()),
    [...shape],
    'float32',
  );
}

/** n points on a random 2-D plane through the origin in `ambient` dims (no noise). */
export function planePoints(n: number, ambient: number, seed: number): tf.Tensor {
  const next = normalSource(seed);
  const basis = [Array.from({ length: ambient }, next), Array.from({ length: ambient }, next)];
  const values = new Float32Array(n * ambient);
  for (let i = 0; i < n; i += 1) {
    const u = next();
    const v = next();
    for (let k = 0; k < ambient; k += 1)
      values[i * ambient + k] = u * (must(basis[0])[k] as number) + v * (must(basis[1])[k] as number);
  }
  return tf.tensor2d(values, [n, ambient]);
}

/** n points on the unit circle in the first two of `ambient` dims, at seeded angles. */
export function circlePoints(n: number, ambient: number, seed: number): tf.Tensor {
  const next = normalSource(seed);
  const values = new Float32Array(n * ambient);
  for (let i = 0; i < n; i += 1) {
    const angle = 2 * Math.PI * ((next() * 0.2 + i / n) % 1);
    values[i * ambient] = Math.cos(angle);
    values[i * ambient + 1] = Math.sin(angle);
  }
  return tf.tensor2d(values, [n, ambient]);
}

/** The mean of the finite values. */
export function finiteMean(values: ArrayLike<number>): number {
  let sum = 0;
  let count = 0;
  for (const value of Array.from(values)) {
    if (Number.isFinite(value)) {
      sum += value;
      count += 1;
    }
  }
  return sum / count;
}

/** The value, or a thrown error if it is missing (tests index arrays they just built). */
export function must<T>(value: T | undefined | null): T {
  if (value === undefined || value === null) throw new Error('missing value');
  return value;
}
