import type { LrpLayerKind } from './layer-types.js';
import { lrpRule, type LrpRule } from './rules.js';

/**
 * A composite: the rules of dense and convolution layers, as zennit's composites of the same names.
 * - `epsilon`: ε on both; `zPlus`, `alpha1beta0`: z⁺ (= α1β0) on both;
 * - `epsilonPlus`: z⁺ on convolutions, ε on dense layers;
 * - `epsilonAlpha2Beta1`: α2β1 on convolutions, ε on dense layers.
 *
 * Every composite, and LRP without one, adds zennit's base map: activations and batch norm pass relevance,
 * average pooling and merges use the norm rule, max pooling, reshapes and dropout their plain gradient.
 *
 * @example
 * const composite: LrpCompositeName = 'epsilonPlus';
 */
export type LrpCompositeName = 'epsilon' | 'zPlus' | 'alpha1beta0' | 'epsilonPlus' | 'epsilonAlpha2Beta1';

/** Every composite name, for validation. */
export const compositeNames: readonly LrpCompositeName[] = [
  'epsilon',
  'zPlus',
  'alpha1beta0',
  'epsilonPlus',
  'epsilonAlpha2Beta1',
];

function affineRule(
  composite: LrpCompositeName,
  kind: 'dense' | 'convolution',
  epsilon: number,
  stabilizer: number,
): LrpRule {
  switch (composite) {
    case 'epsilon':
      return lrpRule.epsilon(epsilon);
    case 'zPlus':
      return lrpRule.zPlus(stabilizer);
    case 'alpha1beta0':
      return lrpRule.alphaBeta(1, 0, stabilizer);
    case 'epsilonPlus':
      return kind === 'convolution' ? lrpRule.zPlus(stabilizer) : lrpRule.epsilon(epsilon);
    case 'epsilonAlpha2Beta1':
      return kind === 'convolution' ? lrpRule.alphaBeta(2, 1, stabilizer) : lrpRule.epsilon(epsilon);
  }
}

/** The rule a composite (or the base map alone) gives a layer kind; `undefined` where it has none. */
export function compositeRule(
  composite: LrpCompositeName | undefined,
  kind: LrpLayerKind,
  epsilon: number,
  stabilizer: number,
): LrpRule | undefined {
  switch (kind) {
    case 'dense':
    case 'convolution':
      return composite === undefined ? undefined : affineRule(composite, kind, epsilon, stabilizer);
    case 'activation':
    case 'batch-norm':
      return lrpRule.pass();
    case 'average-pool':
    case 'merge':
      return lrpRule.norm(stabilizer);
    case 'max-pool':
    case 'reshape':
    case 'dropout':
      return lrpRule.ignore();
    case 'layer-norm':
    case 'softmax':
    case 'container':
    case 'unknown':
      return undefined;
  }
}
