// The L2-penalised logistic objective of scikit-learn in float64: Σᵢ log-loss + ‖W‖²/(2C), the intercepts not
// penalised. One parameter vector θ holds, for each score row k, its weights then (with an intercept) its bias:
// θ[k·stride + j] = W[k, j], θ[k·stride + d] = b[k]. Binary problems have one row (sigmoid), K > 2 classes K
// rows (softmax).
import type { DenseRows } from './dense-rows.js';
import { sigmoid, softplus } from './sigmoid.js';

/** A smooth objective for the float64 solvers. */
export interface SmoothObjective {
  /** The number of parameters. */
  readonly size: number;
  /** The objective at `theta`; writes its gradient into `gradient`. */
  valueAndGradient(theta: Float64Array, gradient: Float64Array): number;
  /** The Hessian at `theta`, `size × size` row-major, positive definite (see {@link logisticObjective}). */
  hessian(theta: Float64Array): Float64Array;
}

/** What {@link logisticObjective} fits: rows, the class index of each row, and the penalty. */
export interface LogisticProblem {
  readonly x: DenseRows;
  /** The class index (0 … classCount − 1) of every row. */
  readonly labels: Int32Array;
  readonly classCount: number;
  readonly c: number;
  readonly fitIntercept: boolean;
}

/** The number of score rows: 1 for two classes, else one per class. */
export function scoreRows(classCount: number): number {
  return classCount === 2 ? 1 : classCount;
}

/**
 * The objective of {@link LogisticProblem}. The multinomial objective is flat along a common shift of the
 * intercepts, so its Hessian is singular along that direction u; {@link SmoothObjective.hessian} returns
 * H + s·uuᵀ instead. Its gradient is orthogonal to u, so the Newton step is unchanged except that it no
 * longer moves along u: started from 0, Σ intercepts stays 0, scikit-learn's convention.
 */
export function logisticObjective(problem: LogisticProblem): SmoothObjective {
  const { x, labels, classCount, c, fitIntercept } = problem;
  const n = x.rows;
  const d = x.columns;
  const rows = scoreRows(classCount);
  const stride = d + (fitIntercept ? 1 : 0);
  const size = rows * stride;
  const scores = new Float64Array(rows);
  const scoresOf = (theta: Float64Array, i: number): void => {
    for (let k = 0; k < rows; k++) {
      const base = k * stride;
      let sum = fitIntercept ? (theta[base + d] ?? 0) : 0;
      for (let j = 0; j < d; j++) sum += (x.data[i * d + j] ?? 0) * (theta[base + j] ?? 0);
      scores[k] = sum;
    }
  };
  // Per row: the residuals r_k = p_k − [k = yᵢ] (into `residual`) and the loss.
  const residual = new Float64Array(rows);
  const probability = new Float64Array(rows);
  const lossAt = (i: number): number => {
    const label = labels[i] ?? 0;
    if (rows === 1) {
      const s = scores[0] ?? 0;
      const z = label === 1 ? 1 : 0;
      const p = sigmoid(s);
      probability[0] = p;
      residual[0] = p - z;
      return softplus(s) - z * s;
    }
    let max = -Infinity;
    for (let k = 0; k < rows; k++) max = Math.max(max, scores[k] ?? 0);
    let total = 0;
    for (let k = 0; k < rows; k++) total += Math.exp((scores[k] ?? 0) - max);
    const logSumExp = max + Math.log(total);
    for (let k = 0; k < rows; k++) {
      probability[k] = Math.exp((scores[k] ?? 0) - logSumExp);
      residual[k] = (probability[k] ?? 0) - (k === label ? 1 : 0);
    }
    return logSumExp - (scores[label] ?? 0);
  };
  return {
    size,
    valueAndGradient(theta, gradient) {
      gradient.fill(0);
      let value = 0;
      for (let i = 0; i < n; i++) {
        scoresOf(theta, i);
        value += lossAt(i);
        for (let k = 0; k < rows; k++) {
          const r = residual[k] ?? 0;
          if (r === 0) continue;
          const base = k * stride;
          for (let j = 0; j < d; j++)
            gradient[base + j] = (gradient[base + j] ?? 0) + r * (x.data[i * d + j] ?? 0);
          if (fitIntercept) gradient[base + d] = (gradient[base + d] ?? 0) + r;
        }
      }
      for (let k = 0; k < rows; k++) {
        for (let j = 0; j < d; j++) {
          const w = theta[k * stride + j] ?? 0;
          value += (w * w) / (2 * c);
          gradient[k * stride + j] = (gradient[k * stride + j] ?? 0) + w / c;
        }
      }
      return value;
    },
    hessian(theta) {
      const h = new Float64Array(size * size);
      const extended = new Float64Array(stride);
      for (let i = 0; i < n; i++) {
        scoresOf(theta, i);
        lossAt(i);
        for (let j = 0; j < d; j++) extended[j] = x.data[i * d + j] ?? 0;
        if (fitIntercept) extended[d] = 1;
        for (let k = 0; k < rows; k++) {
          for (let l = k; l < rows; l++) {
            const pk = probability[k] ?? 0;
            const weight = rows === 1 ? pk * (1 - pk) : pk * ((k === l ? 1 : 0) - (probability[l] ?? 0));
            if (weight === 0) continue;
            for (let a = 0; a < stride; a++) {
              const wa = weight * (extended[a] ?? 0);
              const row = (k * stride + a) * size + l * stride;
              for (let b = 0; b < stride; b++) h[row + b] = (h[row + b] ?? 0) + wa * (extended[b] ?? 0);
            }
          }
        }
      }
      // Mirror the upper blocks (k < l) into the lower ones, then add the penalty.
      for (let k = 0; k < rows; k++) {
        for (let l = k + 1; l < rows; l++) {
          for (let a = 0; a < stride; a++) {
            for (let b = 0; b < stride; b++) {
              h[(l * stride + b) * size + k * stride + a] = h[(k * stride + a) * size + l * stride + b] ?? 0;
            }
          }
        }
        for (let j = 0; j < d; j++)
          h[(k * stride + j) * size + k * stride + j] =
            (h[(k * stride + j) * size + k * stride + j] ?? 0) + 1 / c;
      }
      if (rows > 1 && fitIntercept) {
        let scale = 0;
        for (let k = 0; k < rows; k++) scale += h[(k * stride + d) * size + k * stride + d] ?? 0;
        scale = Math.max(scale / rows, 1);
        for (let k = 0; k < rows; k++) {
          for (let l = 0; l < rows; l++)
            h[(k * stride + d) * size + l * stride + d] =
              (h[(k * stride + d) * size + l * stride + d] ?? 0) + scale;
        }
      }
      return h;
    },
  };
}
