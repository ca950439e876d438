/**
 * The exact squared L2 distance between rows `i` and `j` of `rows` (`d` columns), by direct differences in
 * float64: the difference of two float32 values is exact in float64, so this is the distance of the float32
 * inputs to float64 rounding, wherever the points lie.
 *
 * @example
 * const d2 = exactSquaredDistance(rows, 8, 0, 1);
 */
export function exactSquaredDistance(rows: Float32Array, d: number, i: number, j: number): number {
  let sum = 0;
  const a = i * d;
  const b = j * d;
  for (let k = 0; k < d; k += 1) {
    const difference = (rows[a + k] as number) - (rows[b + k] as number);
    sum += difference * difference;
  }
  return sum;
}

/**
 * The exact p-norm distance raised to the power `p` (for `p = Infinity`, the largest absolute difference),
 * in float64: monotone in the distance, so it orders neighbours without taking a root.
 *
 * @example
 * const d1 = exactPowerDistance(rows, 8, 0, 1, 1); // L1 distance
 */
export function exactPowerDistance(rows: Float32Array, d: number, i: number, j: number, p: number): number {
  if (p === 2) return exactSquaredDistance(rows, d, i, j);
  let sum = 0;
  const a = i * d;
  const b = j * d;
  for (let k = 0; k < d; k += 1) {
    const difference = Math.abs((rows[a + k] as number) - (rows[b + k] as number));
    if (p === Infinity) sum = Math.max(sum, difference);
    else sum += difference ** p;
  }
  return sum;
}
