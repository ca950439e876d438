import { namedModules, resolveModule, TdhookError, UnknownPathError, type ModelNode } from '@tdhook/core';

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
  /**
   * Rules by module path and by layer type (class name or kind); a path wins over a type. Default none. A
   * path that names no module of the model is refused (`E_UNKNOWN_PATH`) when LRP plans against it.
   */
  readonly rules?: {
    readonly paths?: Readonly<Record<string, LrpRule>>;
    readonly types?: Readonly<Record<string, LrpRule>>;
  };
  /** Called for every module first; `undefined` falls through to the maps. Default none. */
  readonly ruleMapper?: (path: string, module: ModelNode) => LrpRule | undefined;
  /** Module paths that get no rule and no warning (each must name a module, as `rules.paths`). Default none. */
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

/** Why `path` names no module in `modules`, and how to write it: what resolving it on `model` says. */
function unknownPathFix(path: string, model: ModelNode, modules: readonly LrpModuleInfo[]): string {
  const listed = `Module paths here: ${modules
    .slice(0, 12)
    .map((module) => `'${module.path}'`)
    .join(', ')}${modules.length > 12 ? ', …' : ''}.`;
  let node: ModelNode;
  try {
    node = resolveModule(model, path);
  } catch (error) {
    // Its fix names a close name ("Did you mean …?") and the children where the path stops matching.
    if (TdhookError.is(error)) return error.fix ?? listed;
    throw error;
  }
  const canonical = modules.find((module) => module.node === node)?.path;
  return canonical === undefined
    ? `It resolves to the model itself, which gets no rule. ${listed}`
    : `It resolves to '${canonical}': write the path as mapLrpRules and namedModules list it.`;
}

/**
 * Refuses keys of `rules.paths` and entries of `skip` that name no module of `model`: they would be ignored
 * without a word, leaving the module with the composite's rule (or none).
 */
export function checkRulePaths(
  options: LrpRuleMapOptions,
  model: ModelNode,
  modules: readonly LrpModuleInfo[],
): void {
  const known = new Set(modules.map(({ path }) => path));
  const named = [
    ...Object.keys(options.rules?.paths ?? {}).map((path) => [path, `rules.paths['${path}']`] as const),
    ...(options.skip ?? []).map((path, index) => [path, `skip[${index}]`] as const),
  ];
  for (const [path, where] of named) {
    if (known.has(path)) continue;
    throw new UnknownPathError({
      what: `LRP ${where.startsWith('skip') ? 'skip' : 'rules.paths'} names '${path}', which is no module of the model`,
      where: `attribution/lrp ${where}`,
      fix: unknownPathFix(path, model, modules),
    });
  }
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
  const modules = lrpModules(model);
  checkRulePaths(options, model, modules);
  return assignRules(options, compositeOf(options), modules);
}
