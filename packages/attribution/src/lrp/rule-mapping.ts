import { namedModules, type ModelNode } from '@tdhook/core';

import { compositeRule, type LrpCompositeName } from './composites.js';
import type { LrpLayer, LrpLayerKind } from './layer-types.js';
import { lrpLayerOf } from './lrp-layer.js';
import { checkRule, type LrpRule } from './rules.js';

/**
 * Which rule each module gets. The first that applies wins: `ruleMapper`, `rules.paths` (by module path),
 * `rules.types` (by class name, e.g. `'Conv2D'`, then by {@link LrpLayerKind}, e.g. `'convolution'`), the
 * composite, the base map. Modules in `skip`, and containers not named by path, get none.
 *
 * @example
 * const mapping: LrpRuleMapOptions = {
 *   composite: 'epsilonPlus',
 *   rules: { paths: { conv1: lrpRule.flat() }, types: { BatchNormalization: lrpRule.epsilon(0.1) } },
 * };
 */
export interface LrpRuleMapOptions {
  /** The composite for dense and convolution layers. Default: none (only the base map and `rules`). */
  readonly composite?: LrpCompositeName;
  /** ε of the composite's ε-rules. Default `1e-6`. */
  readonly epsilon?: number;
  /** Stabiliser of every other composite and base-map rule. Default `1e-6`. */
  readonly stabilizer?: number;
  /** Rules by module path and by layer type (class name or kind); a path wins over a type. Default none. */
  readonly rules?: {
    readonly paths?: Readonly<Record<string, LrpRule>>;
    readonly types?: Readonly<Record<string, LrpRule>>;
  };
  /** Called for every module first; `undefined` falls through to the maps. Default none. */
  readonly ruleMapper?: (path: string, module: ModelNode) => LrpRule | undefined;
  /** Module paths that get no rule and no warning. Default none. */
  readonly skip?: readonly string[];
}

/**
 * The rule of one module and where it came from (`'none'`: no rule, the plain gradient flows).
 *
 * @example
 * const entry: LrpRuleAssignment = { path: 'fc1', kind: 'dense', className: 'Dense', rule: lrpRule.epsilon(), source: 'composite' };
 */
export interface LrpRuleAssignment {
  readonly path: string;
  readonly kind: LrpLayerKind;
  readonly className: string;
  readonly rule: LrpRule | undefined;
  readonly source: 'mapper' | 'path' | 'type' | 'composite' | 'skip' | 'none';
}

/** The rule of one module (the mapper may throw; the caller rolls back what it installed). */
export function assignRule(
  options: LrpRuleMapOptions,
  path: string,
  node: ModelNode,
  layer: LrpLayer,
): LrpRuleAssignment {
  const base = { path, kind: layer.kind, className: layer.className };
  if (options.skip?.includes(path) === true) return { ...base, rule: undefined, source: 'skip' };
  const mapped = options.ruleMapper?.(path, node);
  if (mapped !== undefined)
    return { ...base, rule: checkRule(mapped, `ruleMapper('${path}')`), source: 'mapper' };
  const byPath = options.rules?.paths?.[path];
  if (byPath !== undefined) return { ...base, rule: byPath, source: 'path' };
  const types = options.rules?.types ?? {};
  const byType = Object.hasOwn(types, layer.className) ? types[layer.className] : undefined;
  const byKind =
    layer.kind !== 'container' && Object.hasOwn(types, layer.kind) ? types[layer.kind] : undefined;
  if (byType !== undefined || byKind !== undefined) {
    return { ...base, rule: byType ?? byKind, source: 'type' };
  }
  const rule = compositeRule(
    options.composite,
    layer.kind,
    options.epsilon ?? 1e-6,
    options.stabilizer ?? 1e-6,
  );
  return { ...base, rule, source: rule === undefined ? 'none' : 'composite' };
}

/**
 * The rule every module of `model` gets under these options, in module order, without changing the model:
 * what `lrp` installs (rule `'ignore'` and no rule install nothing). Containers are listed with no rule.
 *
 * @example
 * mapLrpRules(model, { composite: 'epsilonPlus' }).map(({ path, rule }) => [path, rule?.rule]);
 * // [['conv1', 'z-plus'], ['relu1', 'pass'], ['pool1', 'ignore'], ..., ['fc', 'epsilon']]
 */
export function mapLrpRules(model: ModelNode, options: LrpRuleMapOptions): LrpRuleAssignment[] {
  return namedModules(model).map(([path, node]) => assignRule(options, path, node, lrpLayerOf(node)));
}
