import { SquaredDistanceBlocks } from './squared-distance-blocks.js';

/**
 * The median of the N² squared distances of `rows` (every ordered pair, the N zeros of the diagonal included,
 * the mean of the two middle values when N² is even: `np.median` of the full matrix), exact over the float32
 * values TF.js computes, in bounded memory: two passes of a radix selection over the float32 bit patterns,
 * which order non-negative floats as their values.
 *
 * @example
 * const median = medianSquaredDistance(rows, 200, 16);
 */
export function medianSquaredDistance(rows: Float32Array, n: number, d: number): number {
  if (n === 0) return NaN;
  const total = n * n;
  const ranks = [Math.floor((total - 1) / 2), Math.floor(total / 2)];
  const blocks = new SquaredDistanceBlocks(rows, n, d);
  try {
    const bitsOf = (values: Float32Array): Uint32Array =>
      new Uint32Array(values.buffer, values.byteOffset, values.length);
    const high = new Float64Array(1 << 16);
    forEachBlock(
      blocks,
      (bits) => {
        for (const value of bits) high[value >>> 16] = (high[value >>> 16] as number) + 1;
      },
      bitsOf,
    );
    const located = ranks.map((rank) => locate(high, rank));
    const lows = located.map(() => new Float64Array(1 << 16));
    forEachBlock(
      blocks,
      (bits) => {
        for (const value of bits) {
          const top = value >>> 16;
          located.forEach((where, index) => {
            if (where.bin === top) {
              const low = lows[index] as Float64Array;
              low[value & 0xffff] = (low[value & 0xffff] as number) + 1;
            }
          });
        }
      },
      bitsOf,
    );
    const values = located.map((where, index) => {
      const low = locate(lows[index] as Float64Array, where.rest).bin;
      const word = new Uint32Array([((where.bin << 16) | low) >>> 0]);
      return new Float32Array(word.buffer)[0] as number;
    });
    return ((values[0] as number) + (values[1] as number)) / 2;
  } finally {
    blocks.dispose();
  }
}

function forEachBlock(
  blocks: SquaredDistanceBlocks,
  visit: (bits: Uint32Array) => void,
  bitsOf: (values: Float32Array) => Uint32Array,
): void {
  for (let start = 0; start < blocks.n; start += blocks.rowsPerBlock) {
    const size = Math.min(blocks.rowsPerBlock, blocks.n - start);
    const values = blocks.read(start, size);
    // The diagonal is exactly 0 (the expansion leaves rounding there); −0 and tiny negatives are clamped.
    for (let r = 0; r < size; r += 1) values[r * blocks.n + start + r] = 0;
    for (let i = 0; i < values.length; i += 1) if (!((values[i] as number) > 0)) values[i] = 0;
    visit(bitsOf(values));
  }
}

/** The bin holding the element of rank `rank` (0-based) and its rank inside that bin. */
function locate(histogram: Float64Array, rank: number): { bin: number; rest: number } {
  let seen = 0;
  for (let bin = 0; bin < histogram.length; bin += 1) {
    const count = histogram[bin] as number;
    if (seen + count > rank) return { bin, rest: rank - seen };
    seen += count;
  }
  return { bin: histogram.length - 1, rest: 0 };
}
