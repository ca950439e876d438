import { defineLrpCanonizer, type LrpCanonizer } from './lrp-canonizer.js';
import { mergeBatchNormEdits } from './merge-batch-norm.js';

/**
 * The built-in canonizers.
 *
 * @example
 * const factories: LrpCanonizerFactories = lrpCanonizer;
 */
export interface LrpCanonizerFactories {
  /**
   * zennit's `SequentialMergeBatchNorm`: every inference batch norm that reads the output of a Dense, Conv1D,
   * Conv2D or DepthwiseConv2D layer (linear activation, channels last, its output read by nothing else) is
   * merged into it, `W' = W·γ/√(var+ε)`, `b' = (b − μ)·γ/√(var+ε) + β` (a layer without a bias gets one), and
   * made the identity; both are restored exactly when LRP is. TF.js Layers models only.
   */
  mergeBatchNorm(): LrpCanonizer;
}

/**
 * The built-in canonizers, for composites.
 *
 * @example
 * const composite = lrpComposites.epsilonPlus({ canonizers: [lrpCanonizer.mergeBatchNorm()] });
 * using prepared = lrp({ composite, target: { select: 'argmax' } }).prepare(model);
 * prepared.program.filter((spec) => spec.operation === 'canonize'); // conv1 ← bn1, bn1 → identity, …
 */
export const lrpCanonizer: LrpCanonizerFactories = {
  mergeBatchNorm: () => defineLrpCanonizer({ name: 'merge-batch-norm', edits: mergeBatchNormEdits }),
};
