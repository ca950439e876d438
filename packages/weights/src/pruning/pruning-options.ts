import { InvalidValueError, type ModelNode } from '@tdhook/core';
import { checkOptionNames } from '@tdhook/core/plugin';

import { checkAmount } from './prune-count.js';
import type { ImportanceCallback } from './importance.js';

export const id = 'weights/pruning';

/**
 * Structured pruning of one module (the original's `modules_to_prune` entry `(dim, amount)`): whole slices
 * along `axis` of its weight, the ones with the smallest Ln norm (of their importance scores), are zeroed.
 *
 * @example
 * const units: StructuredPruning = { axis: 1, amount: 0.5 };             // Dense / Linear kernel [in, units]
 * const channels: StructuredPruning = { axis: 3, amount: 0.25, norm: 2 }; // Conv2D kernel [h, w, in, out]
 * const heads: StructuredPruning = { axis: 0, amount: 1, groupSize: 16 }; // c_proj rows, 16 per head
 */
export interface StructuredPruning {
  /** The axis of the weight whose slices are pruned (negative counts from the end). */
  readonly axis: number;
  /** A fraction in [0, 1] of the units (or groups), or an integer count above 1. Default: the global `amount`. */
  readonly amount?: number;
  /** The n of the Ln norm that ranks units: a positive number or `Infinity`. Default 1. */
  readonly norm?: number;
  /**
   * Units per group: consecutive slices along `axis` ranked and pruned together (an attention head's `dHead`
   * rows of `c_proj`). Must divide the axis length. Default 1.
   */
  readonly groupSize?: number;
  /** The parameter to prune. Default: the module's `kernel`, else its `weight`. */
  readonly parameter?: string;
}

/**
 * Says whether to leave a module's own parameters out: `(path, node) => boolean`, with the module's path from
 * the model root.
 *
 * @example
 * const convsOnly: SkipModule = (path) => !path.startsWith('conv');
 */
export type SkipModule = (path: string, node: ModelNode) => boolean;

/**
 * Options of {@link pruning}. `amount` alone: global unstructured pruning; `modules`: structured pruning of
 * the listed modules (`amount` is then their default amount). At least one is required.
 *
 * @example
 * const global: PruningOptions = { amount: 0.2 };
 * const structured: PruningOptions = { modules: { fc1: { axis: 1, amount: 0.5 } } };
 */
export interface PruningOptions {
  /**
   * Global: the share of all scored entries to zero, a fraction in [0, 1] (`round(amount · entries)`, halves
   * to even), or an integer count above 1. Structured: the default amount of each module.
   */
  readonly amount?: number;
  /** Structured pruning: module path (relative to `relativePath`) → how to prune it. */
  readonly modules?: Readonly<Record<string, StructuredPruning>>;
  /** Scores entries; `null` leaves a parameter out. Default {@link magnitudeImportance} (`|θ|`). */
  readonly importance?: ImportanceCallback;
  /**
   * Modules whose parameters stay untouched: paths (each with everything under it), or a function called
   * with every module. Default: none (every parameter is visited once, at the module that owns it).
   */
  readonly skip?: readonly string[] | SkipModule;
  /** Prune only under this module. Default `''` (the whole model). */
  readonly relativePath?: string;
}

/**
 * A {@link StructuredPruning} entry with its defaults filled.
 *
 * @example
 * const entry: ConfiguredStructuredPruning = { axis: 1, amount: 0.5, norm: 1, groupSize: 1 };
 */
export interface ConfiguredStructuredPruning {
  readonly axis: number;
  readonly amount: number;
  readonly norm: number;
  readonly groupSize: number;
  readonly parameter?: string;
}

/**
 * The options of {@link pruning} once checked, defaults filled (`importance` stays absent for the default,
 * magnitude, so that a description needs no callback id for it).
 *
 * @example
 * pruning({ amount: 0.2 }).options; // { amount: 0.2, skip: [], relativePath: '' }
 */
export interface ConfiguredPruning {
  readonly amount?: number;
  readonly modules?: Readonly<Record<string, ConfiguredStructuredPruning>>;
  readonly importance?: ImportanceCallback;
  readonly skip: readonly string[] | SkipModule;
  readonly relativePath: string;
}

const known = ['amount', 'modules', 'importance', 'skip', 'relativePath'];
const renamed: Readonly<Record<string, string>> = {
  amount_to_prune: 'Use amount.',
  amountToPrune: 'Use amount.',
  modules_to_prune: 'Use modules: { path: { axis, amount } }.',
  modulesToPrune: 'Use modules: { path: { axis, amount } }.',
  importance_callback: 'Use importance.',
  importanceCallback: 'Use importance.',
  skip_modules: 'Use skip.',
  skipModules: 'Use skip.',
  relative_path: 'Use relativePath.',
};
const entryKnown = ['axis', 'amount', 'norm', 'groupSize', 'parameter'];

function configureEntry(
  path: string,
  entry: unknown,
  fallbackAmount: number | undefined,
): ConfiguredStructuredPruning {
  const where = `${id} modules['${path}']`;
  if (Array.isArray(entry)) {
    throw new InvalidValueError({
      what: `${where} is a tuple; entries here are objects`,
      where,
      fix: `Write { axis: ${String(entry[0])}, amount: ${String(entry[1])} } for the original's (dim, amount).`,
    });
  }
  checkOptionNames(entry, entryKnown, { dim: 'Use axis.', n: 'Use norm.' }, where);
  const { axis, amount = fallbackAmount, norm = 1, groupSize = 1, parameter } = entry as StructuredPruning;
  if (!Number.isInteger(axis)) {
    throw new InvalidValueError({
      what: `axis must be an integer, got ${String(axis)}`,
      where: `${where}.axis`,
      fix: 'Name the axis of the weight whose slices are pruned, e.g. axis: 1 for a Dense kernel’s units.',
    });
  }
  if (amount === undefined) {
    throw new InvalidValueError({
      what: `${where} has no amount, and there is no global amount to fall back on`,
      where: `${where}.amount`,
      fix: 'Give the entry an amount, or pass amount next to modules as the default.',
    });
  }
  checkAmount(amount, `${where}.amount`);
  if (typeof norm !== 'number' || !(norm > 0)) {
    throw new InvalidValueError({
      what: `norm must be a positive number or Infinity, got ${String(norm)}`,
      where: `${where}.norm`,
      fix: 'Use norm: 1 (L1, the default), 2, or Infinity.',
    });
  }
  if (!Number.isInteger(groupSize) || groupSize < 1) {
    throw new InvalidValueError({
      what: `groupSize must be a positive integer, got ${String(groupSize)}`,
      where: `${where}.groupSize`,
      fix: 'Use groupSize: 1 (single units, the default), or e.g. dHead to prune attention heads.',
    });
  }
  if (parameter !== undefined && typeof parameter !== 'string') {
    throw new InvalidValueError({
      what: `parameter must be a parameter name, got ${typeof parameter}`,
      where: `${where}.parameter`,
      fix: "Name it, e.g. parameter: 'kernel'.",
    });
  }
  return { axis, amount, norm, groupSize, ...(parameter === undefined ? {} : { parameter }) };
}

function checkSkip(skip: unknown): readonly string[] | SkipModule {
  if (skip === undefined) return Object.freeze([]);
  if (typeof skip === 'function') return skip as SkipModule;
  if (Array.isArray(skip) && skip.every((path) => typeof path === 'string')) return Object.freeze([...skip]);
  throw new InvalidValueError({
    what: 'skip must be a list of module paths or a function (path, node) => boolean',
    where: `${id} skip`,
    fix: "Pass e.g. skip: ['fc1'] or skip: (path) => path.startsWith('conv').",
  });
}

/**
 * Checks {@link PruningOptions} and fills the defaults; throws an `InvalidValueError` when neither `amount`
 * nor `modules` is given (the original's `ValueError`), or for a bad option.
 *
 * @example
 * configurePruning({ modules: { fc1: { axis: 1 } }, amount: 0.5 }).modules; // { fc1: { axis: 1, amount: 0.5, norm: 1, groupSize: 1 } }
 */
export function configurePruning(options: PruningOptions): ConfiguredPruning {
  checkOptionNames(options, known, renamed, id);
  const { amount, modules, importance, relativePath = '' } = options;
  if (amount === undefined && modules === undefined) {
    throw new InvalidValueError({
      what: 'Pruning needs an amount (global pruning) or modules (structured pruning); neither was given',
      where: id,
      fix: 'Pass e.g. { amount: 0.2 } or { modules: { fc1: { axis: 1, amount: 0.5 } } }.',
    });
  }
  if (amount !== undefined) checkAmount(amount, `${id} amount`);
  if (importance !== undefined && typeof importance !== 'function') {
    throw new InvalidValueError({
      what: `importance must be a function, got ${(importance as unknown) === null ? 'null' : typeof importance}`,
      where: `${id} importance`,
      fix: 'Pass e.g. importance: ({ parameter }) => tf.abs(parameter), or leave it out for magnitude.',
    });
  }
  if (typeof relativePath !== 'string') {
    throw new InvalidValueError({
      what: `relativePath must be a module path, got ${typeof relativePath}`,
      where: `${id} relativePath`,
      fix: "Pass e.g. relativePath: 'encoder', or leave it out for the whole model.",
    });
  }
  let configuredModules: Record<string, ConfiguredStructuredPruning> | undefined;
  if (modules !== undefined) {
    // Any path is a name here: this only checks that modules is an object.
    checkOptionNames(modules, Object.keys(Object(modules) as object), {}, `${id} modules`);
    configuredModules = {};
    for (const [path, entry] of Object.entries(modules)) {
      configuredModules[path] = configureEntry(path, entry, amount);
    }
    if (Object.keys(configuredModules).length === 0) {
      throw new InvalidValueError({
        what: 'modules lists no module',
        where: `${id} modules`,
        fix: 'List at least one, e.g. { fc1: { axis: 1, amount: 0.5 } }, or leave modules out for global pruning.',
      });
    }
  }
  return {
    ...(amount === undefined ? {} : { amount }),
    ...(configuredModules === undefined ? {} : { modules: configuredModules }),
    ...(importance === undefined ? {} : { importance }),
    skip: checkSkip(options.skip),
    relativePath,
  };
}
