// What the float64 solvers return, and the stopping rule they share.

/** The minimiser found, how many iterations it took, and whether the gradient test passed. */
export interface SolverResult {
  readonly theta: Float64Array;
  readonly iterations: number;
  readonly converged: boolean;
  /** max |gradient| at `theta`. */
  readonly gradientMax: number;
}

/** What the solvers are told: iteration cap and relative gradient tolerance. */
export interface SolverOptions {
  readonly maxIterations: number;
  /** Stop when max |gradient| ≤ tolerance · max(1, max |gradient at 0|). */
  readonly tolerance: number;
}

/** How far float64 rounding moves a sum of many terms, relative to it (64 ε, scikit-learn's L-BFGS `ftol`). */
export const roundingSlack: number = 64 * Number.EPSILON;

/** max |v|. */
export function maxAbs(v: Float64Array): number {
  let max = 0;
  for (const value of v) max = Math.max(max, Math.abs(value));
  return max;
}

/** vᵀw. */
export function dot(v: Float64Array, w: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < v.length; i++) sum += (v[i] ?? 0) * (w[i] ?? 0);
  return sum;
}

/**
 * Whether a solver that can no longer decrease the objective in float64 (the line search stalled) stopped
 * close enough to count as converged: the gradient test at the square root of the tolerance.
 */
export function stalledButConverged(gradientMax: number, threshold: number, tolerance: number): boolean {
  return gradientMax <= (threshold / tolerance) * Math.sqrt(tolerance);
}
