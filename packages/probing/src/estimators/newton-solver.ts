// Newton's method with a backtracking (Armijo) line search, in float64: the solver for small logistic
// problems, where the Hessian fits (see solver-choice.ts). Quadratic convergence takes it to the exact
// minimiser in 5–30 steps; ml-matrix's Cholesky solves each step.
import { CholeskyDecomposition, Matrix } from 'ml-matrix';

import type { SmoothObjective } from './logistic-objective.js';
import {
  dot,
  maxAbs,
  roundingSlack,
  stalledButConverged,
  type SolverOptions,
  type SolverResult,
} from './solver-result.js';

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
 * θ and the gradient there → the Newton step −H⁻¹g, or undefined where it cannot be computed (the solver then
 * takes a steepest-descent step).
 */
export type NewtonStep = (theta: Float64Array, gradient: Float64Array) => Float64Array | undefined;

/**
 * Minimises `objective` from θ = 0 by Newton's method; `step` replaces the dense Hessian solve (e.g. by
 * wide-newton-step.ts when features outnumber rows).
 *
 * @example
 * const result = newtonSolve(logisticObjective(problem), { maxIterations: 1000, tolerance: 1e-10 });
 */
export function newtonSolve(
  objective: SmoothObjective,
  options: SolverOptions,
  step?: NewtonStep,
): SolverResult {
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
    const direction =
      step === undefined
        ? newtonStep(objective.hessian(theta), gradient)
        : (step(theta, gradient) ??
          Float64Array.from(gradient, (value) => -value / Math.max(gradientMax, 1)));
    const slope = dot(gradient, direction);
    let t = 1;
    let accepted = false;
    for (let halvings = 0; halvings < 60; halvings++) {
      for (let i = 0; i < theta.length; i++) candidate[i] = (theta[i] ?? 0) + t * (direction[i] ?? 0);
      const next = objective.valueAndGradient(candidate, candidateGradient);
      // Armijo with a strict decrease: with a tiny t, value + 1e-4·t·slope rounds to value and would accept a
      // null step forever. Near the minimiser the decrease drowns in rounding, so a full step that keeps the
      // value (to rounding) and shrinks the gradient is taken too: that is Newton's quadratic phase.
      const armijo = next < value && next <= value + 1e-4 * t * slope;
      const gradientStep =
        t === 1 && next <= value + roundingSlack * Math.abs(value) && maxAbs(candidateGradient) < gradientMax;
      if (armijo || gradientStep) {
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
      // Neither the value nor the gradient can improve in float64: stop, judged by the relaxed gradient test.
      const converged = stalledButConverged(gradientMax, threshold, options.tolerance);
      return { theta, iterations, converged, gradientMax };
    }
  }
  const gradientMax = maxAbs(gradient);
  return { theta, iterations, converged: gradientMax <= threshold, gradientMax };
}
