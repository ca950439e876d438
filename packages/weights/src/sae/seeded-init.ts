// Seeded initial weights computed in JavaScript (mulberry32 + Box–Muller), so that a seed gives the same
// starting dictionary on every backend.
import { seededRandom } from '@tdhook/core/plugin';

/**
 * `rows` random unit vectors of length `size` (row-major), drawn uniformly on the sphere from `seed`.
 *
 * @example
 * const directions = unitRows(128, 64, 0); // Float32Array of 128 × 64, each row of norm 1
 */
export function unitRows(rows: number, size: number, seed: number): Float32Array {
  const random = seededRandom(seed);
  const out = new Float32Array(rows * size);
  for (let r = 0; r < rows; r++) {
    let norm = 0;
    for (let c = 0; c < size; c++) {
      // Box–Muller; 1 − u keeps the logarithm finite.
      const value = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
      out[r * size + c] = value;
      norm += value * value;
    }
    const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
    for (let c = 0; c < size; c++) out[r * size + c] = (out[r * size + c] ?? 0) * scale;
  }
  return out;
}
