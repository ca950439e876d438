// Newton's step for the binary logistic objective when features outnumber rows (d ≥ n, e.g. a conv layer's
// 5408 activations for 1200 images): the d × d Hessian I/C + XᵀSX is never formed. Woodbury's identity turns
// its inverse into an n × n solve, (I/C + ZᵀZ)⁻¹ = C·I − C²·Zᵀ(I + C·ZZᵀ)⁻¹Z with Z = S^½X, and ZZᵀ = S^½KS^½
// comes from the Gram matrix K = XXᵀ, computed once. The unpenalised intercept is eliminated by its Schur
// complement. The step is the same as the dense solver's, in O(n³ + n·d) per iteration instead of O(n·d²).
import type { DenseRows } from './dense-rows.js';
import type { NewtonStep } from './newton-solver.js';
import { sigmoid } from './sigmoid.js';

/** K = XXᵀ, n × n row-major, from the float64 rows `data` `[n, d]`. */
function gram(data: Float64Array, n: number, d: number): Float64Array {
  const k = new Float64Array(n * n);
  // Four rows at a time share each pass over row l: the n²·d/2 products dominate a wide fit (~5× faster
  // than one row at a time on 1200 × 5408). The lower triangle is computed, then mirrored.
  let i = 0;
  for (; i + 3 < n; i += 4) {
    const [a0, a1, a2, a3] = [i * d, (i + 1) * d, (i + 2) * d, (i + 3) * d];
    for (let l = 0; l <= i + 3; l++) {
      const offset = l * d;
      let [s0, s1, s2, s3] = [0, 0, 0, 0];
      for (let j = 0; j < d; j++) {
        const v = data[offset + j] ?? 0;
        s0 += (data[a0 + j] ?? 0) * v;
        s1 += (data[a1 + j] ?? 0) * v;
        s2 += (data[a2 + j] ?? 0) * v;
        s3 += (data[a3 + j] ?? 0) * v;
      }
      k[i * n + l] = s0;
      k[(i + 1) * n + l] = s1;
      k[(i + 2) * n + l] = s2;
      k[(i + 3) * n + l] = s3;
    }
  }
  for (; i < n; i++) {
    for (let l = 0; l <= i; l++) {
      let sum = 0;
      for (let j = 0; j < d; j++) sum += (data[i * d + j] ?? 0) * (data[l * d + j] ?? 0);
      k[i * n + l] = sum;
    }
  }
  for (let a = 0; a < n; a++) for (let b = 0; b < a; b++) k[b * n + a] = k[a * n + b] ?? 0;
  return k;
}

/** Cholesky factor L (lower, row-major) of the symmetric positive definite `m`, in place; false if it is not. */
function choleskyInPlace(m: Float64Array, n: number): boolean {
  for (let j = 0; j < n; j++) {
    let diagonal = m[j * n + j] ?? 0;
    for (let k = 0; k < j; k++) diagonal -= (m[j * n + k] ?? 0) ** 2;
    if (!(diagonal > 0)) return false;
    const pivot = Math.sqrt(diagonal);
    m[j * n + j] = pivot;
    for (let i = j + 1; i < n; i++) {
      let sum = m[i * n + j] ?? 0;
      for (let k = 0; k < j; k++) sum -= (m[i * n + k] ?? 0) * (m[j * n + k] ?? 0);
      m[i * n + j] = sum / pivot;
    }
  }
  return true;
}

/** Solves L Lᵀ v = b for the factor of {@link choleskyInPlace}, in place on `b`. */
function choleskySolve(l: Float64Array, n: number, b: Float64Array): void {
  for (let i = 0; i < n; i++) {
    let sum = b[i] ?? 0;
    for (let k = 0; k < i; k++) sum -= (l[i * n + k] ?? 0) * (b[k] ?? 0);
    b[i] = sum / (l[i * n + i] ?? 1);
  }
  for (let i = n - 1; i >= 0; i--) {
    let sum = b[i] ?? 0;
    for (let k = i + 1; k < n; k++) sum -= (l[k * n + i] ?? 0) * (b[k] ?? 0);
    b[i] = sum / (l[i * n + i] ?? 1);
  }
}

/**
 * The Newton step of the binary objective of logistic-objective.ts (one score row) on `x` with penalty
 * ‖w‖²/(2C), for problems with d ≥ n. Returns undefined where rounding leaves the reduced system singular, so
 * the caller can fall back to the dense step.
 *
 * @example
 * const step = wideNewtonStep(rows, 1, true);
 * const delta = step(theta, gradient);
 */
export function wideNewtonStep(x: DenseRows, c: number, fitIntercept: boolean): NewtonStep {
  const { rows: n, columns: d } = x;
  // One float64 copy (n·d·8 bytes): monomorphic typed-array reads keep the loops below fast.
  const data = Float64Array.from(x.data);
  const k = gram(data, n, d);
  const times = (v: ArrayLike<number>): Float64Array => {
    // X v, length n.
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let sum = 0;
      for (let j = 0; j < d; j++) sum += (data[i * d + j] ?? 0) * (v[j] ?? 0);
      out[i] = sum;
    }
    return out;
  };
  const transposeTimes = (r: Float64Array): Float64Array => {
    // Xᵀ r, length d.
    const out = new Float64Array(d);
    for (let i = 0; i < n; i++) {
      const ri = r[i] ?? 0;
      if (ri === 0) continue;
      for (let j = 0; j < d; j++) out[j] = (out[j] ?? 0) + ri * (data[i * d + j] ?? 0);
    }
    return out;
  };
  return (theta, gradient) => {
    const bias = fitIntercept ? (theta[d] ?? 0) : 0;
    const scores = times(theta);
    const root = new Float64Array(n);
    const weight = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const p = sigmoid((scores[i] ?? 0) + bias);
      weight[i] = p * (1 - p);
      root[i] = Math.sqrt(weight[i] ?? 0);
    }
    // M = I + C·S^½ K S^½, then its Cholesky factor.
    const m = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      for (let l = 0; l <= i; l++) m[i * n + l] = c * (root[i] ?? 0) * (root[l] ?? 0) * (k[i * n + l] ?? 0);
      m[i * n + i] = (m[i * n + i] ?? 0) + 1;
    }
    if (!choleskyInPlace(m, n)) return undefined;
    // A⁻¹v = C·v − C²·Xᵀ S^½ M⁻¹ S^½ X v, from X v.
    const inverseTimes = (v: ArrayLike<number>, xv: Float64Array): Float64Array => {
      const r = Float64Array.from(xv, (value, i) => value * (root[i] ?? 0));
      choleskySolve(m, n, r);
      for (let i = 0; i < n; i++) r[i] = (r[i] ?? 0) * (root[i] ?? 0);
      const back = transposeTimes(r);
      return Float64Array.from(back, (value, j) => c * (v[j] ?? 0) - c * c * value);
    };
    const gradientW = gradient.subarray(0, d);
    const aInvG = inverseTimes(gradientW, times(gradientW));
    const step = new Float64Array(theta.length);
    if (!fitIntercept) {
      for (let j = 0; j < d; j++) step[j] = -(aInvG[j] ?? 0);
      return step;
    }
    // The intercept's row of the Hessian: u = XᵀS·1 (X u = K·S·1), s = Σ S.
    let s = 0;
    for (const value of weight) s += value;
    const u = transposeTimes(weight);
    const xu = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let sum = 0;
      for (let l = 0; l < n; l++) sum += (k[i * n + l] ?? 0) * (weight[l] ?? 0);
      xu[i] = sum;
    }
    const aInvU = inverseTimes(u, xu);
    let uAu = 0;
    let uAg = 0;
    for (let j = 0; j < d; j++) {
      uAu += (u[j] ?? 0) * (aInvU[j] ?? 0);
      uAg += (u[j] ?? 0) * (aInvG[j] ?? 0);
    }
    const schur = s - uAu;
    if (!(schur > 0)) return undefined;
    const stepB = (-(gradient[d] ?? 0) + uAg) / schur;
    for (let j = 0; j < d; j++) step[j] = -(aInvG[j] ?? 0) - (aInvU[j] ?? 0) * stepB;
    step[d] = stepB;
    return step;
  };
}
