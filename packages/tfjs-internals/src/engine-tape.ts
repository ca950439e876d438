// tfjs-core 4.x's gradient tape: `engine.state.activeTape` (the recorded nodes, or null) and
// `engine.state.gradientDepth` (nested gradient computations), opened and closed by `startTape`/`endTape`.
// There is one active tape per engine: the outermost gradient computation owns it and drops it at its end.
import { engine } from './engine-access.js';
import { releaseSaved } from './engine-internals.js';

/**
 * How many gradient computations (`tf.grad`, `tf.grads`, a recorded pass, …) enclose this point: 0 outside
 * any, 2 inside a second-order gradient.
 *
 * @example
 * tf.grad((x: tf.Tensor) => {
 *   console.log(gradientDepth()); // 1
 *   return tf.sum(x);
 * })(x0);
 */
export function gradientDepth(): number {
  return engine().state.gradientDepth;
}

/**
 * Releases what a gradient computation that threw leaves behind in tfjs-core 4.x: the tape stays active with
 * the tensors its kernels saved, so every later op is taped and those tensors leak. Does nothing inside an
 * enclosing gradient computation (that one owns the tape) or when no tape is active.
 *
 * @example
 * try {
 *   tf.grad(f)(x);
 * } catch (error) {
 *   releaseAbandonedTape();
 *   throw error;
 * }
 */
export function releaseAbandonedTape(): void {
  const { state } = engine();
  if (state.gradientDepth !== 0 || state.activeTape === null) return;
  releaseSaved(state.activeTape);
  state.activeTape = null;
}

/**
 * Runs a gradient computation (`tf.grad`, `tf.grads`, `tf.variableGrads`, …) and, if it throws, releases what
 * tfjs-core leaves behind ({@link releaseAbandonedTape}). A hook that throws during backpropagation hits
 * exactly this. Run it inside `tf.tidy` to also free the forward result.
 *
 * @example
 * const grad = tf.tidy(() => withGradientCleanup(() => tf.grad(f)(x)));
 */
export function withGradientCleanup<T>(computation: () => T): T {
  try {
    return computation();
  } catch (error) {
    releaseAbandonedTape();
    throw error;
  }
}
