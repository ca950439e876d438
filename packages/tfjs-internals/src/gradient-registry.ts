import type * as tf from '@tensorflow/tfjs-core';

import { TfjsInternalsError } from './errors.js';
import { pushGradientLayer, readGradient } from './registry-entries.js';
import { requireInternals } from './self-check.js';

/**
 * A gradient patch built from the gradient it replaces (e.g. to post-process its result). It is rebuilt if
 * that gradient is registered again later: tfjs-layers and the `@tensorflow/tfjs` umbrella register the
 * stock gradients when they load.
 *
 * @example
 * const logged: GradientWrapper = {
 *   kernelName: 'BatchMatMul',
 *   wrap: (stock) => ({ ...stock, gradFunc: (dy, saved, attrs) => stock.gradFunc(dy, saved, attrs) }),
 * };
 */
export interface GradientWrapper {
  readonly kernelName: string;
  readonly wrap: (below: tf.GradConfig) => tf.GradConfig;
}

/**
 * `tf.getGradient`, typed as it behaves: undefined when no gradient is registered for the kernel.
 *
 * @example
 * findGradient('Greater'); // undefined until @tdhook/backend's comparison-gradient patch is installed
 */
export function findGradient(kernelName: string): tf.GradConfig | undefined {
  requireInternals('registries');
  return readGradient(kernelName);
}

/**
 * Registers a gradient (for every backend) in place of the current one, and returns the undo. The patch
 * stays registered when the gradient is registered again later, whatever the import order (tfjs-layers
 * re-registers the stock gradients when it loads): the newcomer goes underneath, a {@link GradientWrapper}
 * is rebuilt over it, and the undo puts it back. Patches stack and may be undone in any order.
 *
 * @example
 * const undo = registerGradientPatch({ kernelName: 'Greater', inputsToSave: ['a', 'b'], gradFunc });
 * undo(); // no Greater gradient again
 */
export function registerGradientPatch(patch: tf.GradConfig | GradientWrapper): () => void {
  requireInternals('registries');
  const { kernelName } = patch;
  if (!('wrap' in patch)) return pushGradientLayer(kernelName, () => patch);
  if (readGradient(kernelName) === undefined) {
    throw new TfjsInternalsError({
      code: 'E_TFJS_NOT_REGISTERED',
      what: `No ${kernelName} gradient is registered to wrap`,
      where: 'registerGradientPatch',
      fix: "Register tfjs-core's gradients first: initBackend() from @tdhook/backend does.",
    });
  }
  return pushGradientLayer(kernelName, (below) =>
    below === undefined ? undefined : { ...patch.wrap(below), kernelName },
  );
}

/**
 * Runs `run` with `config` as the gradient of its kernel, and puts the previous gradient back when `run`
 * returns or throws. The engine reads a kernel's gradient when the kernel runs on the tape, so this changes
 * the gradient of every such kernel recorded during `run`, and nothing else. Nested calls are fine.
 *
 * @example
 * const clamped = withGradientOverride(positiveReluGradient, () => tf.grad((x: tf.Tensor) => tf.sum(model(x)))(x0));
 */
export function withGradientOverride<T>(config: tf.GradConfig, run: () => T): T {
  const undo = registerGradientPatch(config);
  try {
    return run();
  } finally {
    undo();
  }
}
