// Which logistic-regression solver `solver: 'auto'` picks, from the problem's size alone (so the choice is
// predictable and documented): Newton while its Hessian is small or, for binary problems, while the rows are
// few enough for its n × n Woodbury form; L-BFGS while the rows fit comfortably in float64 passes; mini-batch
// on TF.js beyond.

/**
 * The logistic-regression solvers.
 *
 * @example
 * const solver: LogisticSolver = chooseSolver(300, 32, 1, true); // 'newton'
 */
export type LogisticSolver = 'newton' | 'lbfgs' | 'minibatch';

/** Newton's limit: parameters P = rows·(d + 1); its Hessian has P² entries (256 → 512 KiB, one Cholesky in ms). */
export const newtonMaxParameters = 256;

/** L-BFGS's limit on n·d: 2²⁴ values (64 MiB as float32), a float64 gradient pass of ~30 ms. */
export const lbfgsMaxValues: number = 2 ** 24;

/**
 * Newton's limit on rows for binary problems with at least as many features as rows, solved in the n × n
 * Woodbury form (wide-newton-step.ts): its Gram matrix has n² entries (2048 → 32 MiB), each step one n × n
 * Cholesky (1200 rows: ~0.4 s).
 */
export const wideNewtonMaxRows = 2048;

/**
 * Whether Newton solves in the n × n Woodbury form: binary, d ≥ n, n ≤ {@link wideNewtonMaxRows} and
 * n·d ≤ {@link lbfgsMaxValues} (it replaces L-BFGS there, never mini-batch: forming XXᵀ costs n²·d).
 */
export function isWideNewton(samples: number, features: number, scoreRows: number): boolean {
  return (
    scoreRows === 1 &&
    features >= samples &&
    samples <= wideNewtonMaxRows &&
    samples * features <= lbfgsMaxValues
  );
}

/**
 * The solver for `samples` rows of `features` features and `scoreRows` score rows (1 for binary, else the
 * class count): Newton if P ≤ 256; else, if n·d ≤ 2²⁴, Newton in the n × n Woodbury form for binary problems
 * with d ≥ n and n ≤ 2048, otherwise L-BFGS; else mini-batch.
 *
 * @example
 * chooseSolver(300, 32, 1, true); // 'newton'
 * chooseSolver(1200, 5408, 1, true); // 'newton' (Woodbury form)
 * chooseSolver(10_000, 768, 10, true); // 'lbfgs'
 * chooseSolver(100_000, 4096, 2, true); // 'minibatch'
 */
export function chooseSolver(
  samples: number,
  features: number,
  scoreRows: number,
  fitIntercept: boolean,
): LogisticSolver {
  if (scoreRows * (features + (fitIntercept ? 1 : 0)) <= newtonMaxParameters) return 'newton';
  if (isWideNewton(samples, features, scoreRows)) return 'newton';
  if (samples * features <= lbfgsMaxValues) return 'lbfgs';
  return 'minibatch';
}
