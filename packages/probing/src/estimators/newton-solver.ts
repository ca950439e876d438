// Newton's method with a backtracking (Armijo) line search, in float64: the solver for small logistic
// problems, where the Hessian fits (see solver-choice.ts). Quadratic convergence takes it to the exact
// minimiser in 5–30 steps; ml-matrix's Cholesky solves each step.
import { CholeskyDecomposition, Matrix } from 'ml-matrix';

import type { SmoothObjective } from './logistic-objective.js';
import { dot, maxAbs, stalledButConverged, type SolverOptions, type SolverResult } from './solver-result.js';

// Solves H δ = −g; a Hessian that rounding made indefinite gets a growing multiple of I (Levenberg).
function newtonStep(hessian: Float64Array, gradient: Float64Array): Float64Array {
  const size = gradient.length;
  const rhs = Matrix.columnVector(Array.from(gradient, (value) => -value));
  let shift = 0;
  let diagonalMax = 0;
  for (let i = 0; i < size; i++) diagonalMax = Math.max(diagonalMax, hessian[i * size + i] ?? 0);
  for (let attempt = 0; attempt < 12; attempt++) {
    const h = new Matrix(size, size);
    // From the upper triangle: rounding makes the computed Hessian symmetric only to the last bit, and
    // ml-matrix's Cholesky demands exact symmetry.
    for (let i = 0; i < size; i++) {
      h.set(i, i, (hessian[i * size + i] ?? 0) + shift);
      for (let j = i + 1; j < size; j++) {
        h.set(i, j, hessian[i * size + j] ?? 0);
        h.set(j, i, hessian[i * size + j] ?? 0);
      }
    }
    const cholesky = new CholeskyDecomposition(h);
    if (cholesky.isPositiveDefinite()) return Float64Array.from(cholesky.solve(rhs).getColumn(0));
    shift = shift === 0 ? diagonalMax * 1e-12 : shift * 100;
  }
  // Gradient descent as the last resort: still a descent direction.
  return Float64Array.from(gradient, (value) => -value / Math.max(diagonalMax, 1));
}

/**
 * Minimises `objective` from θ = 0 by Newton's method.
 *
 * @example
 * const result = newtonSolve(logisticObjective(problem), { maxIterations: 1000, tolerance: 1e-10 });
 */
export function newtonSolve(objective: SmoothObjective, options: SolverOptions): SolverResult {
  const theta = new Float64Array(objective.size);
  let gradient = new Float64Array(objective.size);
  let value = objective.valueAndGradient(theta, gradient);
  const threshold = options.tolerance * Math.max(1, maxAbs(gradient));
  const candidate = new Float64Array(objective.size);
  const candidateGradient = new Float64Array(objective.size);
  let iterations = 0;
  while (iterations < options.maxIterations) {
    const gradientMax = maxAbs(gradient);
    if (gradientMax <= threshold) return { theta, iterations, converged: true, gradientMax };
    const step = newtonStep(objective.hessian(theta), gradient);
    const slope = dot(gradient, step);
    let t = 1;
    let accepted = false;
    for (let halvings = 0; halvings < 60; halvings++) {
      for (let i = 0; i < theta.length; i++) candidate[i] = (theta[i] ?? 0) + t * (step[i] ?? 0);
      const next = objective.valueAndGradient(candidate, candidateGradient);
      if (next <= value + 1e-4 * t * slope) {
        theta.set(candidate);
        gradient = Float64Array.from(candidateGradient);
        value = next;
        accepted = true;
        break;
      }
      t /= 2;
    }
    iterations++;
    if (!accepted) {
      const gradientMax = maxAbs(gradient);
      const converged = stalledButConverged(gradientMax, threshold, options.tolerance);
      return { theta, iterations, converged, gradientMax };
    }
  }
  const gradientMax = maxAbs(gradient);
  return { theta, iterations, converged: gradientMax <= threshold, gradientMax };
}
