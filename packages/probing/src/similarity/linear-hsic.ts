import * as tf from '@tensorflow/tfjs-core';

/**
 * Column-centred rows: the means and the subtraction in float64 (a constant column becomes exactly 0, so a
 * constant representation gives NaN as in exact arithmetic), then rounded to float32 for TF.js, with the
 * squared row norms ‖cᵢ‖² kept in float64.
 *
 * @example
 * const { centred, rowNorms } = centreColumns(rows, n, d);
 */
export function centreColumns(
  rows: Float32Array,
  n: number,
  d: number,
): { centred: Float32Array; rowNorms: Float64Array } {
  const means = new Float64Array(d);
  for (let i = 0; i < n; i += 1)
    for (let k = 0; k < d; k += 1) means[k] = (means[k] as number) + (rows[i * d + k] as number);
  for (let k = 0; k < d; k += 1) means[k] = (means[k] as number) / n;
  const centred = new Float32Array(n * d);
  const rowNorms = new Float64Array(n);
  for (let i = 0; i < n; i += 1) {
    let norm = 0;
    for (let k = 0; k < d; k += 1) {
      const value = (rows[i * d + k] as number) - (means[k] as number);
      centred[i * d + k] = value;
      norm += value * value;
    }
    rowNorms[i] = norm;
  }
  return { centred, rowNorms };
}

/**
 * HSIC terms of linear kernels in feature space, unnormalised (the scale of the original's CKA):
 * `cross = ‖AᵀB‖²_F`, `selfA = ‖AᵀA‖²_F`, `selfB = ‖BᵀB‖²_F` of column-centred A and B; with `debiased`, the
 * unbiased estimator's numerator (Song et al. 2012) in the same scale:
 * `h(X, Y) − n/(n−2)·Σ‖xᵢ‖²‖yᵢ‖² + ‖X‖²_F‖Y‖²_F/((n−1)(n−2))`. The D×D products run on TF.js (float32); the
 * norms and the corrections are float64.
 *
 * @example
 * const { cross, selfA, selfB } = linearHsicTerms(a, b, n, da, db, false);
 */
export function linearHsicTerms(
  a: Float32Array,
  b: Float32Array,
  n: number,
  da: number,
  db: number,
  debiased: boolean,
): { cross: number; selfA: number; selfB: number } {
  const ca = centreColumns(a, n, da);
  const cb = centreColumns(b, n, db);
  const [cross, selfA, selfB] = tf
    .tidy(() => {
      const ta = tf.tensor2d(ca.centred, [n, da], 'float32');
      const tb = tf.tensor2d(cb.centred, [n, db], 'float32');
      // Materialised transposes: wasm's matMul with a transposed operand is many times slower.
      const at = tf.transpose(ta);
      const bt = tf.transpose(tb);
      return [tf.matMul(at, tb), tf.matMul(at, ta), tf.matMul(bt, tb)];
    })
    .map((product) => {
      const values = product.dataSync();
      product.dispose();
      let sum = 0;
      for (const value of values) sum += value * value;
      return sum;
    }) as [number, number, number];
  if (!debiased) return { cross, selfA, selfB };
  const correct = (h: number, x: Float64Array, y: Float64Array): number => {
    let paired = 0;
    let sumX = 0;
    let sumY = 0;
    for (let i = 0; i < n; i += 1) {
      paired += (x[i] as number) * (y[i] as number);
      sumX += x[i] as number;
      sumY += y[i] as number;
    }
    return h - (n / (n - 2)) * paired + (sumX * sumY) / ((n - 1) * (n - 2));
  };
  return {
    cross: correct(cross, ca.rowNorms, cb.rowNorms),
    selfA: correct(selfA, ca.rowNorms, ca.rowNorms),
    selfB: correct(selfB, cb.rowNorms, cb.rowNorms),
  };
}
