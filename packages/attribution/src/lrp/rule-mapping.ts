import { namedModules, type ModelNode } from '@tdhook/core';

import {
  accepts,
  baseComposite,
  entryScopes,
  lrpComposites,
  type LrpComposite,
  type LrpCompositeName,
  type LrpModuleInfo,
} from './composites.js';
import type { LrpLayerKind } from './layer-types.js';
import { lrpLayerOf } from './lrp-layer.js';
import { checkRule, type LrpRule } from './lrp-rule.js';

/**
 * Which rule each module gets. The first that applies wins: `skip`, `ruleMapper`, `rules.paths` (by module
 * path), `rules.types` (by class name, e.g. `'Conv2D'`, then by {@link LrpLayerKind}, e.g. `'convolution'`),
 * the composite. These options are overrides in front of the composite, which holds the policy: a module
 * none of them gives a rule keeps its plain gradient (and gets a warning unless skipped).
 *
 * @example
 * const mapping: LrpRuleMapOptions = {
 *   composite: 'epsilonPlus',
 *   rules: { paths: { conv1: lrpRule.flat() }, types: { BatchNormalization: lrpRule.epsilon(0.1) } },
 * };
 */
export interface LrpRuleMapOptions {
  /**
   * The composite: a name (`'epsilonPlus'`, … see `lrpComposites`) or a composite object
   * (`lrpComposites.epsilonPlus({ canonizers: [...] })`, `defineLrpComposite(...)`). Default: zennit's base
   * map alone (`lrpBaseEntries`), no canonizers.
   */
  readonly composite?: LrpCompositeName | LrpComposite;
  /** ε of a named composite's ε-rules. Default `1e-6`. Not with a composite object (set it there). */
  readonly epsilon?: number;
  /** Stabiliser of a named composite's (or the base map's) other rules. Default `1e-6`. Not with a composite object. */
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

/** The composite the options name (built with their ε and stabiliser), or the base map alone. */
export function compositeOf(options: LrpRuleMapOptions): LrpComposite {
  const { composite, epsilon, stabilizer } = options;
  if (composite === undefined) return baseComposite(stabilizer);
  if (typeof composite === 'string') {
    return lrpComposites[composite]({
      ...(epsilon === undefined ? {} : { epsilon }),
      ...(stabilizer === undefined ? {} : { stabilizer }),
    });
  }
  return composite;
}

/** Every module of `model` with what LRP knows about it, in module order. */
export function lrpModules(model: ModelNode): LrpModuleInfo[] {
  return namedModules(model).map(([path, node]) => ({ path, node, layer: lrpLayerOf(node) }));
}

function assignRule(
  options: LrpRuleMapOptions,
  composite: LrpComposite,
  scopes: readonly (number | undefined)[],
  module: LrpModuleInfo,
  index: number,
): LrpRuleAssignment {
  const { path, node, layer } = module;
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
  const entry = composite.entries.find((candidate, at) => {
    const scope = scopes[at];
    return scope === undefined ? accepts(candidate.match, module) : scope === index;
  });
  return entry === undefined
    ? { ...base, rule: undefined, source: 'none' }
    : { ...base, rule: entry.rule, source: 'composite' };
}

/** The rule of every module, in module order (the mapper may throw). */
export function assignRules(
  options: LrpRuleMapOptions,
  composite: LrpComposite,
  modules: readonly LrpModuleInfo[],
): LrpRuleAssignment[] {
  const scopes = entryScopes(composite, modules);
  return modules.map((module, index) => assignRule(options, composite, scopes, module, index));
}

/**
 * The rule every module of `model` gets under these options, in module order, without changing the model:
 * what `lrp` installs (rules that keep the gradient, such as `ignore`, and no rule install nothing).
 * Containers are listed with no rule unless something names them.
 *
 * @example
 * mapLrpRules(model, { composite: 'epsilonPlus' }).map(({ path, rule }) => [path, rule?.name]);
 * // [['conv1', 'z-plus'], ['relu1', 'pass'], ['pool1', 'ignore'], ..., ['fc', 'epsilon']]
 */
export function mapLrpRules(model: ModelNode, options: LrpRuleMapOptions): LrpRuleAssignment[] {
  return assignRules(options, compositeOf(options), lrpModules(model));
}
