// Composites as zennit has them: an ordered list of (match → rule) entries plus canonizers. zennit's
// LayerMapComposite is entries matched by kind or class, NameMapComposite entries matched by path,
// SpecialFirstLayerMapComposite an entry with `first: true`. The named composites are values of this type.
import { InvalidValueError, type JsonValue, type ModelNode } from '@tdhook/core';
import { describeValue, type DescribeOptions } from '@tdhook/core/plugin';

import type { LrpLayer, LrpLayerKind } from './layer-types.js';
import { isLrpCanonizer, type LrpCanonizer } from './lrp-canonizer.js';
import { checkRule, type LrpRule } from './lrp-rule.js';
import { defaultStabilizer, lrpRule } from './rules.js';

/**
 * One module as matchers see it.
 *
 * @example
 * const conv: LrpModuleInfo = { path: 'conv1', node: model.getLayer('conv1'), layer: { kind: 'convolution', className: 'Conv2D', description: "Conv2D 'conv1'" } };
 */
export interface LrpModuleInfo {
  readonly path: string;
  readonly node: ModelNode;
  readonly layer: LrpLayer;
}

/**
 * Which modules an entry applies to. Every criterion given must hold; a list holds if any of its items
 * does. An empty match applies to every module.
 *
 * @example
 * const convolutions: LrpMatch = { kinds: ['convolution'] };
 * const firstConvolution: LrpMatch = { kinds: ['convolution'], first: true };
 * const byName: LrpMatch = { paths: ['fc1', 'fc2'] };
 * const custom: LrpMatch = { where: ({ layer }) => layer.className.startsWith('Conv') };
 */
export interface LrpMatch {
  /** Layer kinds (`'dense'`, `'convolution'`, …; see `LrpLayerKind`). */
  readonly kinds?: readonly LrpLayerKind[];
  /** Class names: a Layers class (`'Conv2D'`) or a Module's type name. */
  readonly classNames?: readonly string[];
  /** Module paths, exactly. */
  readonly paths?: readonly string[];
  /** Only the first module, in module order, that the other criteria accept (zennit's first layer). */
  readonly first?: boolean;
  /** Any other test; `describe()` needs a callback id for it. */
  readonly where?: (module: LrpModuleInfo) => boolean;
}

/**
 * One entry of a composite: the rule of the modules the match accepts.
 *
 * @example
 * const entry: LrpCompositeEntry = { match: { kinds: ['dense'] }, rule: lrpRule.epsilon() };
 */
export interface LrpCompositeEntry {
  readonly match: LrpMatch;
  readonly rule: LrpRule;
}

/**
 * What {@link defineLrpComposite} takes.
 *
 * @example
 * const definition: LrpCompositeDefinition = {
 *   name: 'acme/flat-first',
 *   entries: [
 *     { match: { kinds: ['convolution'], first: true }, rule: lrpRule.flat() },
 *     { match: { kinds: ['convolution'] }, rule: lrpRule.zPlus() },
 *     { match: { kinds: ['dense'] }, rule: lrpRule.epsilon() },
 *     ...lrpBaseEntries(),
 *   ],
 *   canonizers: [lrpCanonizer.mergeBatchNorm()],
 * };
 */
export interface LrpCompositeDefinition {
  /** Names the composite in descriptions. */
  readonly name: string;
  /** The entries; the first whose match accepts a module gives its rule. Modules no entry accepts get none. */
  readonly entries: readonly LrpCompositeEntry[];
  /** Applied when LRP is prepared, before the rules; undone on restore. Default none. */
  readonly canonizers?: readonly LrpCanonizer[];
}

/**
 * A composite: which rule each module gets, plus the canonizers that prepare the model. The named composites
 * (`lrpComposites.epsilonPlus()`, …, or their names in `lrp({ composite: 'epsilonPlus' })`) are values of this
 * type; {@link defineLrpComposite} makes new ones.
 *
 * @example
 * const composite: LrpComposite = lrpComposites.epsilonPlus({ canonizers: [lrpCanonizer.mergeBatchNorm()] });
 * lrp({ composite, target: { select: 'argmax' } });
 */
export interface LrpComposite {
  readonly name: string;
  readonly entries: readonly LrpCompositeEntry[];
  readonly canonizers: readonly LrpCanonizer[];
  /** `{ composite, entries: [{ match, rule }], canonizers }`; a `where` test needs a callback id. */
  describe(options?: DescribeOptions): JsonValue;
}

const compositeBrand = Symbol.for('tdhook.lrp-composite');
const matchKeys = new Set(['kinds', 'classNames', 'paths', 'first', 'where']);

function checkMatch(match: unknown, where: string): LrpMatch {
  if (typeof match !== 'object' || match === null || Array.isArray(match)) {
    throw new InvalidValueError({
      what: 'A composite entry needs a match object',
      where,
      fix: "E.g. { kinds: ['dense'] }, { classNames: ['Conv2D'] } or { paths: ['fc1'] }.",
    });
  }
  const record = match as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (!matchKeys.has(key)) {
      throw new InvalidValueError({
        what: `Unknown match criterion ${JSON.stringify(key)}`,
        where,
        fix: `Use ${[...matchKeys].join(', ')}.`,
      });
    }
  }
  for (const key of ['kinds', 'classNames', 'paths'] as const) {
    const list = record[key];
    if (list !== undefined && (!Array.isArray(list) || list.some((item) => typeof item !== 'string'))) {
      throw new InvalidValueError({ what: `match.${key} must be an array of strings`, where });
    }
  }
  if (record.first !== undefined && typeof record.first !== 'boolean') {
    throw new InvalidValueError({ what: 'match.first must be a boolean', where });
  }
  if (record.where !== undefined && typeof record.where !== 'function') {
    throw new InvalidValueError({ what: 'match.where must be a function', where });
  }
  return match;
}

/**
 * Checks a composite definition and returns the composite.
 *
 * @example
 * const composite = defineLrpComposite({
 *   name: 'acme/epsilon-with-flat-input',
 *   entries: [{ match: { paths: ['conv1'] }, rule: lrpRule.flat() }, ...lrpComposites.epsilon().entries],
 * });
 */
export function defineLrpComposite(definition: LrpCompositeDefinition): LrpComposite {
  const where = 'defineLrpComposite';
  const { name, entries } = definition;
  const canonizers: unknown = definition.canonizers ?? [];
  if (typeof name !== 'string' || name === '') {
    throw new InvalidValueError({
      what: `A composite needs a non-empty name, got ${JSON.stringify(name)}`,
      where,
    });
  }
  const field = `${where}('${name}')`;
  if (!Array.isArray(entries)) {
    throw new InvalidValueError({ what: 'A composite needs an array of entries', where: field });
  }
  const checked = entries.map((entry: unknown, index) => {
    const at = `${field} entries[${index}]`;
    if (typeof entry !== 'object' || entry === null) {
      throw new InvalidValueError({ what: 'A composite entry must be { match, rule }', where: at });
    }
    const { match, rule } = entry as { match?: unknown; rule?: unknown };
    return Object.freeze({ match: Object.freeze({ ...checkMatch(match, at) }), rule: checkRule(rule, at) });
  });
  if (!Array.isArray(canonizers) || !canonizers.every(isLrpCanonizer)) {
    throw new InvalidValueError({
      what: 'canonizers must be an array of canonizers',
      where: field,
      fix: 'Use lrpCanonizer.mergeBatchNorm() or defineLrpCanonizer(...).',
    });
  }
  const checkedCanonizers: readonly LrpCanonizer[] = Object.freeze([...canonizers]);
  const composite: LrpComposite = {
    name,
    entries: Object.freeze(checked),
    canonizers: checkedCanonizers,
    describe: (options = {}) =>
      describeValue(
        {
          composite: name,
          entries: checked.map(({ match, rule }) => ({ match, rule })),
          canonizers: [...checkedCanonizers],
        },
        options,
        `composite '${name}'`,
      ),
  };
  Object.defineProperty(composite, compositeBrand, { value: true });
  return Object.freeze(composite);
}

/**
 * True for a composite made by {@link defineLrpComposite}.
 *
 * @example
 * isLrpComposite(lrpComposites.epsilon()); // true
 */
export function isLrpComposite(value: unknown): value is LrpComposite {
  return typeof value === 'object' && value !== null && Object.hasOwn(value, compositeBrand);
}

/**
 * zennit's base layer map, which every named composite includes: activations and batch norm pass relevance,
 * average pooling and merges (zennit's `Sum`) use the norm rule; and, where zennit's PyTorch modules need no
 * rule, max pooling, reshapes and dropout keep their plain gradient.
 *
 * @example
 * defineLrpComposite({ name: 'acme/gamma', entries: [{ match: { kinds: ['convolution', 'dense'] }, rule: lrpRule.gamma() }, ...lrpBaseEntries()] });
 */
export function lrpBaseEntries(stabilizer: number = defaultStabilizer): LrpCompositeEntry[] {
  return [
    { match: { kinds: ['activation', 'batch-norm'] }, rule: lrpRule.pass() },
    { match: { kinds: ['average-pool', 'merge'] }, rule: lrpRule.norm(stabilizer) },
    { match: { kinds: ['max-pool', 'reshape', 'dropout'] }, rule: lrpRule.ignore() },
  ];
}

/**
 * The parameters of the named composites.
 *
 * @example
 * const params: LrpCompositeParams = { epsilon: 0.01, canonizers: [lrpCanonizer.mergeBatchNorm()] };
 */
export interface LrpCompositeParams {
  /** ε of the ε-rules. Default `1e-6`. */
  readonly epsilon?: number;
  /** Stabiliser of every other rule. Default `1e-6`. */
  readonly stabilizer?: number;
  /** Default none (as zennit's composites). */
  readonly canonizers?: readonly LrpCanonizer[];
}

/**
 * The name of a named composite.
 *
 * @example
 * const composite: LrpCompositeName = 'epsilonPlus';
 */
export type LrpCompositeName = 'epsilon' | 'zPlus' | 'alpha1beta0' | 'epsilonPlus' | 'epsilonAlpha2Beta1';

type AffineRules = (epsilon: number, stabilizer: number) => { dense: LrpRule; convolution: LrpRule };

const affineRules: Readonly<Record<LrpCompositeName, AffineRules>> = {
  epsilon: (epsilon) => ({ dense: lrpRule.epsilon(epsilon), convolution: lrpRule.epsilon(epsilon) }),
  zPlus: (_, stabilizer) => ({ dense: lrpRule.zPlus(stabilizer), convolution: lrpRule.zPlus(stabilizer) }),
  alpha1beta0: (_, stabilizer) => ({
    dense: lrpRule.alphaBeta(1, 0, stabilizer),
    convolution: lrpRule.alphaBeta(1, 0, stabilizer),
  }),
  epsilonPlus: (epsilon, stabilizer) => ({
    dense: lrpRule.epsilon(epsilon),
    convolution: lrpRule.zPlus(stabilizer),
  }),
  epsilonAlpha2Beta1: (epsilon, stabilizer) => ({
    dense: lrpRule.epsilon(epsilon),
    convolution: lrpRule.alphaBeta(2, 1, stabilizer),
  }),
};

function namedComposite(name: LrpCompositeName): (params?: LrpCompositeParams) => LrpComposite {
  return ({ epsilon = defaultStabilizer, stabilizer = defaultStabilizer, canonizers = [] } = {}) => {
    const { dense, convolution } = affineRules[name](epsilon, stabilizer);
    return defineLrpComposite({
      name,
      entries: [
        ...lrpBaseEntries(stabilizer),
        { match: { kinds: ['convolution'] }, rule: convolution },
        { match: { kinds: ['dense'] }, rule: dense },
      ],
      canonizers,
    });
  };
}

/**
 * The named composites, as zennit's of the same names (its base map included, see {@link lrpBaseEntries}):
 * - `epsilon`: ε on dense and convolution layers; `zPlus`, `alpha1beta0`: z⁺ (= α1β0) on both;
 * - `epsilonPlus`: z⁺ on convolutions, ε on dense layers;
 * - `epsilonAlpha2Beta1`: α2β1 on convolutions, ε on dense layers.
 *
 * @example
 * const composite = lrpComposites.epsilonPlus({ epsilon: 0.01, canonizers: [lrpCanonizer.mergeBatchNorm()] });
 * composite.entries.map(({ rule }) => rule.name); // ['pass', 'norm', 'ignore', 'z-plus', 'epsilon']
 */
export const lrpComposites: Readonly<
  Record<LrpCompositeName, (params?: LrpCompositeParams) => LrpComposite>
> = /* @__PURE__ */ Object.freeze({
  epsilon: /* @__PURE__ */ namedComposite('epsilon'),
  zPlus: /* @__PURE__ */ namedComposite('zPlus'),
  alpha1beta0: /* @__PURE__ */ namedComposite('alpha1beta0'),
  epsilonPlus: /* @__PURE__ */ namedComposite('epsilonPlus'),
  epsilonAlpha2Beta1: /* @__PURE__ */ namedComposite('epsilonAlpha2Beta1'),
});

/** The composite of LRP without one: the base entries only. */
export function baseComposite(stabilizer: number = defaultStabilizer): LrpComposite {
  return defineLrpComposite({ name: 'base', entries: lrpBaseEntries(stabilizer) });
}

/** True for the name of a named composite. */
export function isCompositeName(value: unknown): value is LrpCompositeName {
  return typeof value === 'string' && Object.hasOwn(lrpComposites, value);
}

/**
 * Indexes (into `modules`) of the module each entry applies to, or `undefined` for every module it accepts:
 * `first` entries apply to the first module their other criteria accept.
 */
export function entryScopes(
  composite: LrpComposite,
  modules: readonly LrpModuleInfo[],
): (number | undefined)[] {
  return composite.entries.map(({ match }) =>
    match.first === true ? modules.findIndex((module) => accepts(match, module)) : undefined,
  );
}

/** True if `match` (ignoring `first`) accepts the module. */
export function accepts(match: LrpMatch, { path, node, layer }: LrpModuleInfo): boolean {
  if (match.kinds !== undefined && !match.kinds.includes(layer.kind)) return false;
  if (match.classNames !== undefined && !match.classNames.includes(layer.className)) return false;
  if (match.paths !== undefined && !match.paths.includes(path)) return false;
  return match.where === undefined || match.where({ path, node, layer });
}
