// Limited-memory BFGS in float64 (the two-loop recursion, 10 pairs, Armijo backtracking): the solver when
// Newton's Hessian would be too large (solver-choice.ts). Each iteration costs one or two gradients, O(n·d·K).
import type { SmoothObjective } from './logistic-objective.js';
import {
  dot,
  maxAbs,
  roundingSlack,
  stalledButConverged,
  type SolverOptions,
  type SolverResult,
} from './solver-result.js';

const memory = 10;
/** Stalled iterations in a row (see below) after which the solver stops. */
const stallLimit = 10;
const emptyPair = { step: new Float64Array(0), change: new Float64Array(0), rho: 0 };

/**
 * Minimises `objective` from θ = 0 by L-BFGS.
 *
 * @example
 * const result = lbfgsSolve(logisticObjective(problem), { maxIterations: 1000, tolerance: 1e-10 });
 */
export function lbfgsSolve(objective: SmoothObjective, options: SolverOptions): SolverResult {
  const size = objective.size;
  const theta = new Float64Array(size);
  const gradient = new Float64Array(size);
  let value = objective.valueAndGradient(theta, gradient);
  const threshold = options.tolerance * Math.max(1, maxAbs(gradient));
  // The last `memory` curvature pairs: step s = Δθ, change y = Δgradient, rho = 1 / sᵀy.
  let pairs: { step: Float64Array; change: Float64Array; rho: number }[] = [];
  const candidate = new Float64Array(size);
  const candidateGradient = new Float64Array(size);
  const alphas = new Float64Array(memory);
  let iterations = 0;
  let best = maxAbs(gradient);
  let stalled = 0;
  while (iterations < options.maxIterations) {
    const gradientMax = maxAbs(gradient);
    if (gradientMax <= threshold) return { theta, iterations, converged: true, gradientMax };
    const previous = value;
    // Two-loop recursion: direction = −H·g with H the L-BFGS inverse-Hessian estimate.
    const direction = Float64Array.from(gradient, (value) => -value);
    for (let m = pairs.length - 1; m >= 0; m--) {
      const { step, change, rho } = pairs[m] ?? emptyPair;
      const alpha = rho * dot(step, direction);
      alphas[m] = alpha;
      for (let i = 0; i < size; i++) direction[i] = (direction[i] ?? 0) - alpha * (change[i] ?? 0);
    }
    const last = pairs.at(-1);
    const gamma =
      last === undefined
        ? 1 / Math.max(gradientMax, 1)
        : dot(last.step, last.change) / dot(last.change, last.change);
    for (let i = 0; i < size; i++) direction[i] = (direction[i] ?? 0) * gamma;
    for (const [m, { step, change, rho }] of pairs.entries()) {
      const beta = rho * dot(change, direction);
      for (let i = 0; i < size; i++)
        direction[i] = (direction[i] ?? 0) + ((alphas[m] ?? 0) - beta) * (step[i] ?? 0);
    }
    let slope = dot(gradient, direction);
    if (!(slope < 0)) {
      // Not a descent direction (rounding): restart from steepest descent.
      pairs = [];
      for (let i = 0; i < size; i++) direction[i] = -(gradient[i] ?? 0) / Math.max(gradientMax, 1);
      slope = dot(gradient, direction);
    }
    let t = 1;
    let accepted = false;
    for (let halvings = 0; halvings < 40; halvings++) {
      for (let i = 0; i < size; i++) candidate[i] = (theta[i] ?? 0) + t * (direction[i] ?? 0);
      const next = objective.valueAndGradient(candidate, candidateGradient);
      const derivative = dot(candidateGradient, direction);
      // Armijo's sufficient decrease, or, where the objective's change drowns in rounding near the
      // minimiser, Hager and Zhang's approximate Wolfe conditions, which judge the step by the derivative.
      const armijo = next < value && next <= value + 1e-4 * t * slope;
      const approximateWolfe =
        next <= value + 1e-12 * Math.abs(value) && derivative >= 0.9 * slope && derivative <= -0.8 * slope;
      if (armijo || approximateWolfe) {
        const step = new Float64Array(size);
        const change = new Float64Array(size);
        for (let i = 0; i < size; i++) {
          step[i] = (candidate[i] ?? 0) - (theta[i] ?? 0);
          change[i] = (candidateGradient[i] ?? 0) - (gradient[i] ?? 0);
        }
        const curvature = dot(step, change);
        // Keep the pair only if it has positive curvature, so the estimate stays positive definite.
        if (curvature > 1e-12 * dot(change, change)) {
          pairs.push({ step, change, rho: 1 / curvature });
          if (pairs.length > memory) pairs.shift();
        }
        theta.set(candidate);
        gradient.set(candidateGradient);
        value = next;
        accepted = true;
        break;
      }
      t /= 2;
    }
    iterations++;
    // Stalled: the value fell by no more than rounding and the gradient reached no new low. L-BFGS's gradient
    // is not monotone, so only a run of such iterations means float64 can do no better here.
    const now = maxAbs(gradient);
    const progressed = now < best || previous - value > roundingSlack * Math.max(Math.abs(previous), 1);
    best = Math.min(best, now);
    stalled = progressed ? 0 : stalled + 1;
    if (stalled >= stallLimit) {
      return {
        theta,
        iterations,
        converged: stalledButConverged(now, threshold, options.tolerance),
        gradientMax: now,
      };
    }
    if (!accepted && pairs.length > 0) {
      // The curvature pairs misled the search: forget them and retry from steepest descent.
      pairs = [];
      continue;
    }
    if (!accepted) {
      const gradientMax = maxAbs(gradient);
      const converged = stalledButConverged(gradientMax, threshold, options.tolerance);
      return { theta, iterations, converged, gradientMax };
    }
  }
  const gradientMax = maxAbs(gradient);
  return { theta, iterations, converged: gradientMax <= threshold, gradientMax };
}
