import * as tf from '@tensorflow/tfjs-core';

import { SquaredDistanceBlocks } from '../geometry/squared-distance-blocks.js';

/**
 * HSIC terms of RBF kernels K = exp(−‖aᵢ−aⱼ‖²/(2σa²)) and L (same for B), unnormalised like
 * {@link linearHsicTerms}: biased `Σ K̃∘L̃` of the double-centred kernels, or with `debiased` the unbiased
 * estimator's numerator on the kernels with zeroed diagonals. Streams row blocks (TF.js computes the kernel
 * values in float32; every sum is float64), so memory stays bounded whatever N.
 *
 * @example
 * const terms = rbfHsicTerms(a, b, n, da, db, sigmaA2, sigmaB2, false);
 */
export function rbfHsicTerms(
  a: Float32Array,
  b: Float32Array,
  n: number,
  da: number,
  db: number,
  sigmaA2: number,
  sigmaB2: number,
  debiased: boolean,
): { cross: number; selfA: number; selfB: number } {
  const rowsPerBlock = Math.max(1, Math.floor((1 << 21) / Math.max(1, n)));
  const blocksA = new SquaredDistanceBlocks(a, n, da, rowsPerBlock);
  const blocksB = new SquaredDistanceBlocks(b, n, db, rowsPerBlock);
  const rowK = new Float64Array(n);
  const rowL = new Float64Array(n);
  let sumKL = 0;
  let sumKK = 0;
  let sumLL = 0;
  const diagonal = debiased ? 0 : 1;
  try {
    for (let start = 0; start < n; start += rowsPerBlock) {
      const size = Math.min(rowsPerBlock, n - start);
      const k = blocksA.read(start, size, (d2) => tf.exp(tf.mul(d2, tf.scalar(-1 / (2 * sigmaA2)))));
      const l = blocksB.read(start, size, (d2) => tf.exp(tf.mul(d2, tf.scalar(-1 / (2 * sigmaB2)))));
      for (let r = 0; r < size; r += 1) {
        k[r * n + start + r] = diagonal;
        l[r * n + start + r] = diagonal;
        let rk = 0;
        let rl = 0;
        for (let j = r * n, end = r * n + n; j < end; j += 1) {
          const kv = k[j] as number;
          const lv = l[j] as number;
          rk += kv;
          rl += lv;
          sumKL += kv * lv;
          sumKK += kv * kv;
          sumLL += lv * lv;
        }
        rowK[start + r] = rk;
        rowL[start + r] = rl;
      }
    }
  } finally {
    blocksA.dispose();
    blocksB.dispose();
  }
  let totalK = 0;
  let totalL = 0;
  let kk = 0;
  let ll = 0;
  let kl = 0;
  for (let i = 0; i < n; i += 1) {
    const x = rowK[i] as number;
    const y = rowL[i] as number;
    totalK += x;
    totalL += y;
    kk += x * x;
    ll += y * y;
    kl += x * y;
  }
  const hsic = (s: number, rows: number, totalX: number, totalY: number): number =>
    debiased
      ? s + (totalX * totalY) / ((n - 1) * (n - 2)) - (2 / (n - 2)) * rows
      : s - (2 / n) * rows + (totalX * totalY) / (n * n);
  return {
    cross: hsic(sumKL, kl, totalK, totalL),
    selfA: hsic(sumKK, kk, totalK, totalK),
    selfB: hsic(sumLL, ll, totalL, totalL),
  };
}
