// Centred least squares in float64, shared by ridgeRegression and linearRegression: centre X and y, solve
// (XcᵀXc + αI) W = Xcᵀyc, and b = ȳ − x̄·W. Ridge (α > 0) solves the normal equations by Cholesky; least
// squares (α = 0) uses the SVD of Xc itself (ml-matrix), which gives scikit-learn's minimum-norm solution when
// Xc is rank-deficient and does not square its condition number.
import { CholeskyDecomposition, Matrix, SingularValueDecomposition } from 'ml-matrix';

import type { DenseRows } from './dense-rows.js';

/** coef `[targets, d]` and intercept `[targets]`. */
export interface LeastSquaresFit {
  readonly coef: Float64Array[];
  readonly intercept: Float64Array;
}

function columnMeans(m: DenseRows): Float64Array {
  const means = new Float64Array(m.columns);
  for (let i = 0; i < m.rows; i++)
    for (let j = 0; j < m.columns; j++) means[j] = (means[j] ?? 0) + (m.data[i * m.columns + j] ?? 0);
  for (let j = 0; j < m.columns; j++) means[j] = (means[j] ?? 0) / m.rows;
  return means;
}

function centred(m: DenseRows, means: Float64Array): Matrix {
  const out = new Matrix(m.rows, m.columns);
  for (let i = 0; i < m.rows; i++) {
    for (let j = 0; j < m.columns; j++) out.set(i, j, (m.data[i * m.columns + j] ?? 0) - (means[j] ?? 0));
  }
  return out;
}

/**
 * Fits `y` `[n, targets]` on `x` `[n, d]` with L2 strength `alpha` (0 for ordinary least squares).
 *
 * @example
 * const { coef, intercept } = centredLeastSquares(rows, targets, 1);
 */
export function centredLeastSquares(x: DenseRows, y: DenseRows, alpha: number): LeastSquaresFit {
  const xMeans = columnMeans(x);
  const yMeans = columnMeans(y);
  const xc = centred(x, xMeans);
  const yc = centred(y, yMeans);
  let w: Matrix; // [d, targets]
  if (alpha > 0) {
    const gram = xc.transpose().mmul(xc);
    for (let j = 0; j < x.columns; j++) gram.set(j, j, gram.get(j, j) + alpha);
    w = new CholeskyDecomposition(gram).solve(xc.transpose().mmul(yc));
  } else {
    w = new SingularValueDecomposition(xc, { autoTranspose: true }).solve(yc);
  }
  const coef = Array.from({ length: y.columns }, (_, t) => Float64Array.from(w.getColumn(t)));
  const intercept = Float64Array.from({ length: y.columns }, (_, t) => {
    let value = yMeans[t] ?? 0;
    for (let j = 0; j < x.columns; j++) value -= (xMeans[j] ?? 0) * w.get(j, t);
    return value;
  });
  return { coef, intercept };
}
