// Accuracy-vs-sparsity curves of the MNIST CNN: for each importance and each amount, global unstructured
// pruning (@tdhook/weights) prepared on the model, the held-out digits classified, the sparsity measured, and
// the model restored (prepared.restore() through `using`) before the next point.
import { measureSparsity, pruning, type ImportanceCallback } from '@tdhook/weights';
import type { LayersModel } from '@tensorflow/tfjs-layers';

import { accuracyOf, countCorrect, type Digits } from './held-out-digits.js';

/** The fractions of all weights and biases pruned, one point each. */
export const pruningAmounts = [0, 0.2, 0.4, 0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95] as const;

/** One point of a curve. */
export interface PruningPoint {
  readonly amount: number;
  /** measureSparsity's fraction of zero parameters, over the whole model. */
  readonly sparsity: number;
  readonly accuracy: number;
  /** measureSparsity's fraction of zeros per kernel (`conv1.kernel`, …): where the score put its zeros. */
  readonly kernels: readonly { readonly key: string; readonly fraction: number }[];
}

/** A curve: one importance at every amount. */
export interface PruningCurve {
  readonly name: string;
  readonly points: readonly PruningPoint[];
}

/** The accuracy of `model` on `digits` pruned by `importance` at every amount of {@link pruningAmounts}. */
export function pruningCurve(
  model: LayersModel,
  digits: Digits,
  name: string,
  importance: ImportanceCallback,
): PruningCurve {
  const points = pruningAmounts.map((amount) => {
    // Prepared (pruned) while this block runs, restored when it ends.
    using _pruned = pruning({ amount, importance }).prepare(model);
    const measured = measureSparsity(model);
    const accuracy = accuracyOf(countCorrect(model, digits));
    const kernels = measured.parameters
      .filter((parameter) => parameter.key.endsWith('.kernel'))
      .map(({ key, fraction }) => ({ key, fraction }));
    return { amount, sparsity: measured.fraction, accuracy, kernels };
  });
  return { name, points };
}
