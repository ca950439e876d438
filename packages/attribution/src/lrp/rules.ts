import { InvalidValueError } from '@tdhook/core';

/**
 * An LRP rule: how one module turns the relevance of its output into the relevance of its inputs. Rules are
 * plain data (they appear in descriptions); build them with {@link lrpRule}, which fills the defaults.
 *
 * - `epsilon`: `R_i = x_i Σ_j w_ij R_j / (z_j + ε·sign(z_j))` (LRP-ε; ε = 0 is LRP-0);
 * - `norm`: the same for layers without parameters (sum and average pooling, merges), `stabilizer` as ε;
 * - `uniform-epsilon`: ε-rule relevance divided by the number of inputs;
 * - `z-plus`: positive contributions only, = `alpha-beta` with α = 1, β = 0;
 * - `alpha-beta`: `α·(positive share) − β·(negative share)`, α, β ≥ 0 and α − β = 1;
 * - `gamma`: the generalised γ-rule (weights `w + γ·w⁺` for positive outputs, `w + γ·w⁻` for negative ones);
 * - `w-square`, `flat`: relevance by `w²` or by `1` regardless of the input;
 * - `pass`: `R_in = R` (elementwise layers); `ignore`: the plain gradient; `stop`: no relevance;
 *   `uniform`: `R / n` to each of n inputs; `pseudo-identity`: `R·f(x)/x`;
 * - transformer rules: `softmax-epsilon` (`R_in = (R − y·ΣR)·x`), `layer-norm` (the gradient of a layer norm
 *   whose standard deviation is a constant), `attention-value` (a fused Q‖K‖V projection passes relevance
 *   only through V).
 *
 * @example
 * const rule: LrpRule = { rule: 'alpha-beta', alpha: 2, beta: 1, stabilizer: 1e-6 };
 */
export type LrpRule =
  | { readonly rule: 'epsilon' | 'uniform-epsilon' | 'softmax-epsilon'; readonly epsilon: number }
  | {
      readonly rule: 'norm' | 'z-plus' | 'w-square' | 'flat' | 'pseudo-identity';
      readonly stabilizer: number;
    }
  | {
      readonly rule: 'alpha-beta';
      readonly alpha: number;
      readonly beta: number;
      readonly stabilizer: number;
    }
  | { readonly rule: 'gamma'; readonly gamma: number; readonly stabilizer: number }
  | { readonly rule: 'pass' | 'ignore' | 'stop' | 'uniform' | 'layer-norm' | 'attention-value' };

/**
 * The name of an {@link LrpRule}.
 *
 * @example
 * const name: LrpRuleName = 'z-plus';
 */
export type LrpRuleName = LrpRule['rule'];

/**
 * The constructors of {@link lrpRule}; every stabiliser and ε defaults to 1e-6, as in zennit.
 *
 * @example
 * const factories: LrpRuleFactories = lrpRule;
 */
export interface LrpRuleFactories {
  /** LRP-ε (Bach et al., 2015). `epsilon` default 1e-6. */
  epsilon(epsilon?: number): LrpRule;
  /** ε-rule without parameters, for pooling and merges. `stabilizer` default 1e-6. */
  norm(stabilizer?: number): LrpRule;
  /** ε-rule relevance split evenly over the inputs. `epsilon` default 1e-6. */
  uniformEpsilon(epsilon?: number): LrpRule;
  /** z⁺ (= α1β0, the positive bias kept in the positive part). `stabilizer` default 1e-6. */
  zPlus(stabilizer?: number): LrpRule;
  /** α-β; defaults α = 2, β = 1. Throws `InvalidValueError` unless α, β ≥ 0 and α − β = 1. */
  alphaBeta(alpha?: number, beta?: number, stabilizer?: number): LrpRule;
  /** Generalised γ-rule; `gamma` default 0.25. */
  gamma(gamma?: number, stabilizer?: number): LrpRule;
  /** w²-rule (input-independent, for unbounded first layers). */
  wSquare(stabilizer?: number): LrpRule;
  /** Flat rule (all weights one). */
  flat(stabilizer?: number): LrpRule;
  /** `R·f(x)/x` for GELU-like activations (RelP). */
  pseudoIdentity(stabilizer?: number): LrpRule;
  /** Passes relevance through unchanged. */
  pass(): LrpRule;
  /** Leaves the module alone: its plain gradient flows. */
  ignore(): LrpRule;
  /** No relevance flows through the module. */
  stop(): LrpRule;
  /** `R / n` to each of the n inputs. */
  uniform(): LrpRule;
  /** Softmax-ε of LXT (Achtibat et al., 2024): `R_in = (R − y·ΣR)·x`. */
  softmaxEpsilon(epsilon?: number): LrpRule;
  /** Layer norm with its standard deviation held constant (identity rule on the normalisation). */
  layerNorm(): LrpRule;
  /** For a fused Q‖K‖V projection: relevance through V only (Q and K held constant). */
  attentionValue(): LrpRule;
}

const defaultStabilizer = 1e-6;

/**
 * Builds LRP rules with zennit's defaults, validating their parameters.
 *
 * @example
 * lrpRule.epsilon(); // { rule: 'epsilon', epsilon: 1e-6 }
 * lrpRule.alphaBeta(2, 1); // { rule: 'alpha-beta', alpha: 2, beta: 1, stabilizer: 1e-6 }
 * lrpRule.alphaBeta(1, 1); // throws InvalidValueError: α − β must be 1
 */
export const lrpRule: LrpRuleFactories = {
  epsilon: (epsilon = defaultStabilizer) => checkRule({ rule: 'epsilon', epsilon }, 'lrpRule.epsilon'),
  norm: (stabilizer = defaultStabilizer) => checkRule({ rule: 'norm', stabilizer }, 'lrpRule.norm'),
  uniformEpsilon: (epsilon = defaultStabilizer) =>
    checkRule({ rule: 'uniform-epsilon', epsilon }, 'lrpRule.uniformEpsilon'),
  zPlus: (stabilizer = defaultStabilizer) => checkRule({ rule: 'z-plus', stabilizer }, 'lrpRule.zPlus'),
  alphaBeta: (alpha = 2, beta = 1, stabilizer = defaultStabilizer) =>
    checkRule({ rule: 'alpha-beta', alpha, beta, stabilizer }, 'lrpRule.alphaBeta'),
  gamma: (gamma = 0.25, stabilizer = defaultStabilizer) =>
    checkRule({ rule: 'gamma', gamma, stabilizer }, 'lrpRule.gamma'),
  wSquare: (stabilizer = defaultStabilizer) => checkRule({ rule: 'w-square', stabilizer }, 'lrpRule.wSquare'),
  flat: (stabilizer = defaultStabilizer) => checkRule({ rule: 'flat', stabilizer }, 'lrpRule.flat'),
  pseudoIdentity: (stabilizer = defaultStabilizer) =>
    checkRule({ rule: 'pseudo-identity', stabilizer }, 'lrpRule.pseudoIdentity'),
  pass: () => ({ rule: 'pass' }),
  ignore: () => ({ rule: 'ignore' }),
  stop: () => ({ rule: 'stop' }),
  uniform: () => ({ rule: 'uniform' }),
  softmaxEpsilon: (epsilon = defaultStabilizer) =>
    checkRule({ rule: 'softmax-epsilon', epsilon }, 'lrpRule.softmaxEpsilon'),
  layerNorm: () => ({ rule: 'layer-norm' }),
  attentionValue: () => ({ rule: 'attention-value' }),
};

const numericFields: Readonly<Record<LrpRuleName, readonly string[]>> = {
  epsilon: ['epsilon'],
  'uniform-epsilon': ['epsilon'],
  'softmax-epsilon': ['epsilon'],
  norm: ['stabilizer'],
  'z-plus': ['stabilizer'],
  'w-square': ['stabilizer'],
  flat: ['stabilizer'],
  'pseudo-identity': ['stabilizer'],
  'alpha-beta': ['alpha', 'beta', 'stabilizer'],
  gamma: ['gamma', 'stabilizer'],
  pass: [],
  ignore: [],
  stop: [],
  uniform: [],
  'layer-norm': [],
  'attention-value': [],
};

/**
 * Checks that a value is a well-formed {@link LrpRule} (a known name, finite parameters ≥ 0, α − β = 1) and
 * returns it; `where` names the option in errors.
 *
 * @example
 * checkRule({ rule: 'alpha-beta', alpha: 1, beta: 0, stabilizer: 1e-6 }, 'rules.types.conv');
 */
export function checkRule(rule: LrpRule, where: string): LrpRule {
  if (typeof rule !== 'object' || (rule as unknown) === null) {
    throw new InvalidValueError({
      what: `An LRP rule must be an object, got ${JSON.stringify(rule)}`,
      where,
      fix: 'Build rules with lrpRule, e.g. lrpRule.epsilon().',
    });
  }
  const fields = (numericFields as Partial<Record<string, readonly string[]>>)[rule.rule];
  if (fields === undefined) {
    throw new InvalidValueError({
      what: `Unknown LRP rule ${JSON.stringify(rule.rule)}`,
      where,
      fix: `Known rules: ${Object.keys(numericFields).join(', ')}.`,
    });
  }
  for (const field of fields) {
    const value = (rule as unknown as Record<string, unknown>)[field];
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw new InvalidValueError({
        what: `The ${rule.rule} rule needs ${field} to be a finite number ≥ 0, got ${String(value)}`,
        where,
        fix: `Build it with lrpRule, which fills ${field} with its default.`,
      });
    }
  }
  if (rule.rule === 'alpha-beta' && rule.alpha - rule.beta !== 1) {
    throw new InvalidValueError({
      what: `The alpha-beta rule needs alpha − beta = 1, got alpha ${rule.alpha} and beta ${rule.beta}`,
      where,
      fix: 'Use e.g. alpha 1, beta 0 (z⁺) or alpha 2, beta 1.',
    });
  }
  return rule;
}
