import { Matrix, SingularValueDecomposition } from 'ml-matrix';

/**
 * scikit-learn's `PCA().explained_variance_` of a small neighbourhood, in float64: the block's columns are
 * centred, then S²/(rows − 1) from the singular values, min(rows, d) values, descending. An SVD (not the
 * eigenvalues of a Gram matrix) keeps a rank-deficient block's trailing values at ~1e-31·λ₀ as LAPACK does,
 * which the maxgap criterion depends on (see the reference README).
 *
 * @example
 * const lambdas = explainedVariance([[0, 0], [1, 0], [0, 2]]); // 2 values, descending
 */
export function explainedVariance(block: readonly (readonly number[])[]): number[] {
  const rows = block.length;
  if (rows < 2) return [];
  const d = (block[0] as readonly number[]).length;
  const means = new Float64Array(d);
  for (const row of block)
    for (let k = 0; k < d; k += 1) means[k] = (means[k] as number) + (row[k] as number);
  for (let k = 0; k < d; k += 1) means[k] = (means[k] as number) / rows;
  const centred = new Matrix(block.map((row) => row.map((value, k) => value - (means[k] as number))));
  const svd = new SingularValueDecomposition(centred, {
    computeLeftSingularVectors: false,
    computeRightSingularVectors: false,
    autoTranspose: true,
  });
  const values = svd.diagonal
    .slice(0, Math.min(rows, d))
    .sort((a, b) => b - a)
    .map((s) => (s * s) / (rows - 1));
  return values;
}

/**
 * The maxgap criterion: `argmax(λ[:-1] / (λ[1:] + 1e-15)) + 1`, or 1 for fewer than two values.
 *
 * @example
 * maxGapDimension([4, 3, 0.01]); // 2
 */
export function maxGapDimension(lambdas: readonly number[]): number {
  if (lambdas.length < 2) return 1;
  let best = -Infinity;
  let bestIndex = 0;
  for (let i = 0; i + 1 < lambdas.length; i += 1) {
    const ratio = (lambdas[i] as number) / ((lambdas[i + 1] as number) + 1e-15);
    if (ratio > best) {
      best = ratio;
      bestIndex = i;
    }
  }
  return bestIndex + 1;
}

/**
 * The ratio criterion: `max(1, #{λ > α·λ₀})` (strict), or 1 for no values.
 *
 * @example
 * ratioDimension([4, 3, 0.01], 0.05); // 2
 */
export function ratioDimension(lambdas: readonly number[], alpha: number): number {
  if (lambdas.length === 0) return 1;
  const threshold = alpha * (lambdas[0] as number);
  let count = 0;
  for (const lambda of lambdas) if (lambda > threshold) count += 1;
  return Math.max(1, count);
}
