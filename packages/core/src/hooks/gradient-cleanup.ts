import * as tf from '@tensorflow/tfjs-core';

interface TapeState {
  gradientDepth: number;
  activeTape: { saved?: tf.Tensor[] }[] | null;
}

/**
 * Runs a gradient computation (`tf.grad`, `tf.grads`, `tf.variableGrads`, …) and, if it throws, releases what
 * tfjs-core 4.22 leaves behind: the gradient tape stays active with the tensors its kernels saved, so every
 * later op is taped and the saved tensors leak. A hook that throws during backpropagation hits exactly this.
 * Run it inside `tf.tidy` to also free the forward result.
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

function releaseAbandonedTape(): void {
  const state = (tf.engine() as unknown as { state: TapeState }).state;
  // Nested gradients (higher order) still own the tape; only the outermost may drop it.
  if (state.gradientDepth !== 0 || state.activeTape === null) return;
  for (const node of state.activeTape) for (const tensor of node.saved ?? []) tensor.dispose();
  state.activeTape = null;
}
