// The built-in rules, as zennit 0.5.1 and LXT compute them, each an LrpRule made with defineLrpRule: a third
// party's rule is written the same way.
import * as tf from '@tensorflow/tfjs-core';

import { InvalidValueError } from '@tdhook/core';

import { layerNormRelevance, pseudoIdentityRelevance, softmaxRelevance } from './elementwise-rules.js';
import type { LrpLinearPart } from './layer-types.js';
import {
  alphaBetaRelevance,
  epsilonRelevance,
  gammaRelevance,
  inputFreeRelevance,
  valueOnlyRelevance,
} from './linear-rules.js';
import { defineLrpRule, type LrpRule } from './lrp-rule.js';
import {
  needsFusedQkv,
  needsInputsLikeOutput,
  needsLayerNorm,
  needsLinear,
  needsOneLikeOutput,
} from './rule-checks.js';

/**
 * The constructors of the built-in rules; every stabiliser and ε defaults to 1e-6, as in zennit.
 *
 * @example
 * const factories: LrpRuleFactories = lrpRule;
 */
export interface LrpRuleFactories {
  /** LRP-ε (Bach et al., 2015): `R_i = x_i Σ_j w_ij R_j / (z_j + ε·sign(z_j))`; ε = 0 is LRP-0. Default 1e-6. */
  epsilon(epsilon?: number): LrpRule;
  /** ε-rule without parameters, for pooling and merges. `stabilizer` default 1e-6. */
  norm(stabilizer?: number): LrpRule;
  /** ε-rule relevance split evenly over the inputs. `epsilon` default 1e-6. */
  uniformEpsilon(epsilon?: number): LrpRule;
  /** z⁺ (= α1β0, the positive bias kept in the positive part). `stabilizer` default 1e-6. */
  zPlus(stabilizer?: number): LrpRule;
  /**
   * α-β: `α·(positive share) − β·(negative share)`; defaults α = 2, β = 1. Throws `InvalidValueError` unless
   * α, β ≥ 0 and α − β = 1.
   */
  alphaBeta(alpha?: number, beta?: number, stabilizer?: number): LrpRule;
  /** Generalised γ-rule (weights `w + γ·w⁺` for positive outputs, `w + γ·w⁻` for negative); γ default 0.25. */
  gamma(gamma?: number, stabilizer?: number): LrpRule;
  /** w²-rule (input-independent, for unbounded first layers). */
  wSquare(stabilizer?: number): LrpRule;
  /** Flat rule (all weights one). */
  flat(stabilizer?: number): LrpRule;
  /** `R·f(x)/x` for GELU-like activations (RelP). */
  pseudoIdentity(stabilizer?: number): LrpRule;
  /** Passes relevance through unchanged (elementwise modules). */
  pass(): LrpRule;
  /** Leaves the module alone: its plain gradient flows (no hook is installed). */
  ignore(): LrpRule;
  /** No relevance flows through the module. */
  stop(): LrpRule;
  /** `R / n` to each of the n inputs. */
  uniform(): LrpRule;
  /**
   * Softmax-ε of LXT (Achtibat et al., 2024): `R_in = (R − y·ΣR)·x`. It divides by nothing, so it has no ε to
   * set (LXT's and the original's ε is never used); the name is theirs.
   */
  softmaxEpsilon(): LrpRule;
  /** Layer norm with its standard deviation held constant (identity rule on the normalisation). */
  layerNorm(): LrpRule;
  /** For a fused Q‖K‖V projection: relevance through V only (Q and K held constant). */
  attentionValue(): LrpRule;
}

/**
 * The default of every LRP stabiliser and ε (zennit's): the rules, the named composites and the base map read
 * it from here. Internal: not exported from the package.
 */
export const defaultStabilizer = 1e-6;

function checkNumber(value: number, name: string, where: string): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new InvalidValueError({
      what: `${name} must be a finite number ≥ 0, got ${String(value)}`,
      where,
      fix: `Leave it out for the default, or pass a number ≥ 0.`,
    });
  }
}

// Linear rules read the layer's linear part; their check ensured it exists.
const linearOf = (layer: { readonly linear?: LrpLinearPart }): LrpLinearPart => layer.linear as LrpLinearPart;

function linearRule(
  name: string,
  params: Readonly<Record<string, number>>,
  relevance: (linear: LrpLinearPart, xs: readonly tf.Tensor[], relevance: tf.Tensor) => tf.Tensor[],
  where: string,
  options: { readonly weights?: boolean } = {},
): LrpRule {
  for (const [key, value] of Object.entries(params)) checkNumber(value, key, where);
  return defineLrpRule({
    name,
    params,
    relevance: (call) => relevance(linearOf(call.layer), call.inputs, call.relevance),
    check: needsLinear(name, options),
  });
}

const singleInput = (inputs: readonly tf.Tensor[]): tf.Tensor => inputs[0] as tf.Tensor;

/**
 * The built-in LRP rules with zennit's defaults, validating their parameters.
 *
 * @example
 * lrpRule.epsilon().describe(); // { rule: 'epsilon', params: { epsilon: 1e-6 } }
 * lrpRule.alphaBeta(2, 1).params; // { alpha: 2, beta: 1, stabilizer: 1e-6 }
 * lrpRule.alphaBeta(1, 1); // throws InvalidValueError: α − β must be 1
 */
export const lrpRule: LrpRuleFactories = {
  epsilon: (epsilon = defaultStabilizer) =>
    linearRule(
      'epsilon',
      { epsilon },
      (linear, xs, r) => epsilonRelevance(linear, xs, r, epsilon),
      'lrpRule.epsilon',
    ),
  norm: (stabilizer = defaultStabilizer) =>
    linearRule(
      'norm',
      { stabilizer },
      (linear, xs, r) => epsilonRelevance(linear, xs, r, stabilizer),
      'lrpRule.norm',
    ),
  uniformEpsilon: (epsilon = defaultStabilizer) =>
    linearRule(
      'uniform-epsilon',
      { epsilon },
      (linear, xs, r) => epsilonRelevance(linear, xs, r, epsilon, xs.length),
      'lrpRule.uniformEpsilon',
    ),
  zPlus: (stabilizer = defaultStabilizer) =>
    linearRule(
      'z-plus',
      { stabilizer },
      (linear, xs, r) => alphaBetaRelevance(linear, xs, r, 1, 0, stabilizer),
      'lrpRule.zPlus',
    ),
  alphaBeta: (alpha = 2, beta = 1, stabilizer = defaultStabilizer) => {
    const where = 'lrpRule.alphaBeta';
    checkNumber(alpha, 'alpha', where);
    checkNumber(beta, 'beta', where);
    if (alpha - beta !== 1) {
      throw new InvalidValueError({
        what: `The alpha-beta rule needs alpha − beta = 1, got alpha ${alpha} and beta ${beta}`,
        where,
        fix: 'Use e.g. alpha 1, beta 0 (z⁺) or alpha 2, beta 1.',
      });
    }
    return linearRule(
      'alpha-beta',
      { alpha, beta, stabilizer },
      (linear, xs, r) => alphaBetaRelevance(linear, xs, r, alpha, beta, stabilizer),
      where,
    );
  },
  gamma: (gamma = 0.25, stabilizer = defaultStabilizer) =>
    linearRule(
      'gamma',
      { gamma, stabilizer },
      (linear, xs, r) => gammaRelevance(linear, xs, r, gamma, stabilizer),
      'lrpRule.gamma',
    ),
  wSquare: (stabilizer = defaultStabilizer) =>
    linearRule(
      'w-square',
      { stabilizer },
      (linear, xs, r) => inputFreeRelevance(linear, xs, r, 'square', stabilizer),
      'lrpRule.wSquare',
      { weights: true },
    ),
  flat: (stabilizer = defaultStabilizer) =>
    linearRule(
      'flat',
      { stabilizer },
      (linear, xs, r) => inputFreeRelevance(linear, xs, r, 'flat', stabilizer),
      'lrpRule.flat',
    ),
  pseudoIdentity: (stabilizer = defaultStabilizer) => {
    checkNumber(stabilizer, 'stabilizer', 'lrpRule.pseudoIdentity');
    return defineLrpRule({
      name: 'pseudo-identity',
      params: { stabilizer },
      relevance: ({ inputs, output, relevance }) => [
        pseudoIdentityRelevance(singleInput(inputs), output, relevance, stabilizer),
      ],
      checkCall: needsOneLikeOutput('pseudo-identity'),
    });
  },
  pass: () =>
    defineLrpRule({
      name: 'pass',
      relevance: ({ relevance }) => [tf.clone(relevance)],
      checkCall: needsOneLikeOutput('pass'),
    }),
  ignore: () =>
    defineLrpRule({
      name: 'ignore',
      keepsGradient: true,
      relevance: ({ inputs }) => inputs.map((x) => tf.zerosLike(x)),
    }),
  stop: () =>
    defineLrpRule({
      name: 'stop',
      conservationChecked: false,
      relevance: ({ inputs }) => inputs.map((x) => tf.zerosLike(x)),
    }),
  uniform: () =>
    defineLrpRule({
      name: 'uniform',
      relevance: ({ inputs, relevance }) => inputs.map(() => tf.div(relevance, inputs.length)),
      checkCall: needsInputsLikeOutput('uniform'),
    }),
  softmaxEpsilon: (...unused: unknown[]) => {
    if (unused.length > 0) {
      throw new InvalidValueError({
        what: `lrpRule.softmaxEpsilon takes no arguments, got ${unused.length}`,
        where: 'lrpRule.softmaxEpsilon',
        fix: 'Call lrpRule.softmaxEpsilon(): the rule divides by nothing, so an ε would change nothing.',
      });
    }
    return defineLrpRule({
      name: 'softmax-epsilon',
      relevance: ({ layer, inputs, output, relevance }) => [
        softmaxRelevance(layer, singleInput(inputs), output, relevance),
      ],
      checkCall: needsOneLikeOutput('softmax-epsilon'),
    });
  },
  layerNorm: () =>
    defineLrpRule({
      name: 'layer-norm',
      relevance: ({ layer, inputs, relevance }) => [
        layerNormRelevance(layer, singleInput(inputs), relevance),
      ],
      check: needsLayerNorm,
      checkCall: needsOneLikeOutput('layer-norm'),
    }),
  attentionValue: () =>
    defineLrpRule({
      name: 'attention-value',
      relevance: ({ layer, inputs, relevance }) => valueOnlyRelevance(linearOf(layer), inputs, relevance),
      check: needsLinear('attention-value'),
      checkCall: needsFusedQkv,
    }),
};
