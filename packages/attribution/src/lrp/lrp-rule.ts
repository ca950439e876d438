// The LRP rule contract: what a rule is given for one module call and what it returns. Built-in rules
// (lrpRule.*) and third-party rules are defined the same way, with defineLrpRule.
import type * as tf from '@tensorflow/tfjs-core';

import { InvalidValueError, type JsonObject, type JsonValue } from '@tdhook/core';
import { describeValue } from '@tdhook/core/plugin';

import type { LrpLayer } from './layer-types.js';

/**
 * One module call as a rule's checks see it in the forward pass.
 *
 * @example
 * const check = ({ inputs, output }: LrpModuleCall): string | undefined =>
 *   inputs.length === 1 ? undefined : `one input expected, got ${inputs.length} for ${JSON.stringify(output.shape)}`;
 */
export interface LrpModuleCall {
  /** What LRP knows about the module: kind, class, and its math where it has some. */
  readonly layer: LrpLayer;
  /** The module's tensor inputs (float32), in the order it got them. */
  readonly inputs: readonly tf.Tensor[];
  /** The module's output (after any fused activation). */
  readonly output: tf.Tensor;
}

/**
 * What a rule gets for one module call in the backward pass: the call, the relevance of its output, and the
 * one safe way to take a gradient there.
 *
 * @example
 * // LRP-ε written against this interface (what lrpRule.epsilon() computes):
 * const relevance = ({ inputs, relevance, layer, gradients }: LrpRuleCall): tf.Tensor[] => {
 *   const linear = layer.linear as LrpLinearPart;
 *   const params = linear.parameters();
 *   const z = linear.apply(inputs, params);
 *   const stabilised = tf.add(z, tf.mul(tf.sub(tf.mul(tf.cast(tf.greaterEqual(z, 0), 'float32'), 2), 1), 1e-6));
 *   const share = gradients((...xs) => linear.apply(xs, params), inputs, tf.div(relevance, stabilised));
 *   return inputs.map((x, i) => tf.mul(x, share[i] as tf.Tensor));
 * };
 */
export interface LrpRuleCall extends LrpModuleCall {
  /** The relevance of the module's output, shaped like it. */
  readonly relevance: tf.Tensor;
  /** The module path, for messages. */
  readonly path: string;
  /**
   * `tf.grads(f)(at, dy)`: the vector-Jacobian product of `f` at `at` (for a linear map, its transpose applied
   * to `dy`). Use this and not `tf.grads` inside a rule: the rule runs inside a backward pass, and a nested
   * `tf.grads` would discard the tape of the pass around it.
   */
  readonly gradients: (
    f: (...xs: tf.Tensor[]) => tf.Tensor,
    at: readonly tf.Tensor[],
    dy: tf.Tensor,
  ) => tf.Tensor[];
}

/**
 * What {@link defineLrpRule} takes: a name and JSON parameters (for descriptions and plans), the relevance
 * function, and optional checks.
 *
 * @example
 * const definition: LrpRuleDefinition = {
 *   name: 'acme/half',
 *   params: { share: 0.5 },
 *   relevance: ({ inputs, relevance }) => inputs.map(() => tf.mul(relevance, 0.5)),
 *   checkCall: ({ inputs, output }) =>
 *     inputs.every((x) => x.size === output.size) ? undefined : 'inputs must be shaped like the output',
 * };
 */
export interface LrpRuleDefinition {
  /** Names the rule in descriptions, plans and messages: `'epsilon'`, `'acme/half'`. */
  readonly name: string;
  /** The rule's parameters as JSON, for descriptions and plans. Default `{}`. */
  readonly params?: JsonObject;
  /**
   * The relevance of each input (one tensor per input, shaped like it) from the call. Runs inside a `tf.tidy`
   * in the backward pass: return new tensors, keep nothing.
   */
  readonly relevance: (call: LrpRuleCall) => tf.Tensor[];
  /**
   * Why the rule cannot run on this module (e.g. it needs `layer.linear`), checked when LRP is prepared;
   * `undefined` if it can. Default: it can.
   */
  readonly check?: (layer: LrpLayer) => string | undefined;
  /**
   * Why the rule cannot run on this call (shapes, number of inputs), checked in the forward pass before any
   * backward step; `undefined` if it can. Default: it can.
   */
  readonly checkCall?: (call: LrpModuleCall) => string | undefined;
  /**
   * True for a rule that leaves the module's own gradient in place (the built-in `ignore`): LRP installs no
   * hook for it and never calls `relevance`. Default `false`.
   */
  readonly keepsGradient?: boolean;
  /**
   * False for a rule that drops relevance on purpose (the built-in `stop`): the conservation check skips it.
   * Default `true`.
   */
  readonly conservationChecked?: boolean;
}

/**
 * An LRP rule: how one module turns the relevance of its output into the relevance of its inputs. Build one
 * with {@link defineLrpRule} (the built-ins come from `lrpRule`); composites, `rules.paths`, `rules.types` and
 * `ruleMapper` take them.
 *
 * @example
 * const rule: LrpRule = lrpRule.epsilon(0.01);
 * rule.name; // 'epsilon'
 * rule.describe(); // { rule: 'epsilon', params: { epsilon: 0.01 } }
 */
export interface LrpRule {
  readonly name: string;
  readonly params: JsonObject;
  readonly keepsGradient: boolean;
  readonly conservationChecked: boolean;
  relevance(call: LrpRuleCall): tf.Tensor[];
  check(layer: LrpLayer): string | undefined;
  checkCall(call: LrpModuleCall): string | undefined;
  /** `{ rule: name, params }`. */
  describe(): JsonValue;
}

// Registry-wide, so that rules from the ESM and the CJS build are both recognised.
const ruleBrand = Symbol.for('tdhook.lrp-rule');

/**
 * Checks a rule definition and returns the rule. Third parties write rules exactly as the built-ins are
 * written: a definition passed here.
 *
 * @example
 * const halfPass = defineLrpRule({
 *   name: 'acme/half-pass',
 *   relevance: ({ relevance }) => [tf.mul(relevance, 0.5)],
 *   checkCall: ({ inputs, output }) =>
 *     inputs.length === 1 && inputs[0]?.size === output.size ? undefined : 'needs one input shaped like the output',
 * });
 * lrp({ composite: 'epsilon', rules: { types: { activation: halfPass } } });
 */
export function defineLrpRule(definition: LrpRuleDefinition): LrpRule {
  const where = 'defineLrpRule';
  if (typeof definition !== 'object' || (definition as unknown) === null) {
    throw new InvalidValueError({ what: 'A rule definition must be an object', where });
  }
  const { name, relevance, check, checkCall, keepsGradient, conservationChecked } = definition;
  if (typeof name !== 'string' || name === '') {
    throw new InvalidValueError({
      what: `A rule needs a non-empty name, got ${JSON.stringify(name)}`,
      where,
      fix: "Name it, e.g. 'acme/my-epsilon'.",
    });
  }
  const field = `${where}('${name}')`;
  if (typeof relevance !== 'function') {
    throw new InvalidValueError({ what: 'A rule needs a relevance(call) function', where: field });
  }
  for (const [key, value] of [
    ['check', check],
    ['checkCall', checkCall],
  ] as const) {
    if (value !== undefined && typeof value !== 'function') {
      throw new InvalidValueError({ what: `${key} must be a function`, where: field });
    }
  }
  for (const [key, value] of [
    ['keepsGradient', keepsGradient],
    ['conservationChecked', conservationChecked],
  ] as const) {
    if (value !== undefined && typeof value !== 'boolean') {
      throw new InvalidValueError({ what: `${key} must be a boolean`, where: field });
    }
  }
  const rawParams: unknown = definition.params ?? {};
  if (typeof rawParams !== 'object' || rawParams === null || Array.isArray(rawParams)) {
    throw new InvalidValueError({
      what: 'A rule’s params must be a JSON object',
      where: field,
      fix: 'E.g. { epsilon: 1e-6 }.',
    });
  }
  const params = describeValue(rawParams, {}, `${field} params`) as JsonObject;
  const description = Object.freeze({ rule: name, params });
  const rule: LrpRule = {
    name,
    params,
    keepsGradient: keepsGradient ?? false,
    conservationChecked: conservationChecked ?? true,
    relevance: (call) => relevance(call),
    check: (layer) => check?.(layer),
    checkCall: (call) => checkCall?.(call),
    describe: () => description,
  };
  Object.defineProperty(rule, ruleBrand, { value: true });
  return Object.freeze(rule);
}

/**
 * True for a rule made by {@link defineLrpRule}.
 *
 * @example
 * isLrpRule(lrpRule.zPlus()); // true
 * isLrpRule({ rule: 'z-plus' }); // false: rules are no longer plain data
 */
export function isLrpRule(value: unknown): value is LrpRule {
  return typeof value === 'object' && value !== null && Object.hasOwn(value, ruleBrand);
}

/**
 * Returns `rule` if it is an {@link LrpRule}, else throws an `InvalidValueError` naming `where`.
 *
 * @example
 * checkRule(options.rules.paths.fc1, "rules.paths['fc1']");
 */
export function checkRule(rule: unknown, where: string): LrpRule {
  if (isLrpRule(rule)) return rule;
  const shown =
    typeof rule === 'object' && rule !== null && 'rule' in rule
      ? `the plain object ${JSON.stringify(rule)}`
      : ((JSON.stringify(rule) as string | undefined) ?? typeof rule);
  throw new InvalidValueError({
    what: `Expected an LRP rule, got ${shown}`,
    where,
    fix: 'Build rules with lrpRule (e.g. lrpRule.epsilon()) or defineLrpRule({ name, relevance }).',
  });
}
