import {
  InvalidValueError,
  namedModules,
  resolveModule,
  type ModelNode,
  type Target,
  type TargetJSON,
} from '@tdhook/core';
import { describeTarget, normalizeTarget, validateTarget } from '@tdhook/core/plugin';

import type { CacheSelection } from './cache-options.js';

const where = 'activationCaching select';

/** One cached module: its path, and the units a Target selects (none: the whole value). */
export interface CacheEntry {
  readonly path: string;
  readonly target?: TargetJSON;
}

/** The selection once configured: a RegExp, or the listed paths and Targets (normalised). */
export type NormalizedSelection = RegExp | readonly CacheEntry[];

function entryOf(item: unknown, position: string): CacheEntry {
  if (typeof item === 'string') {
    if (item === '') {
      throw new InvalidValueError({
        what: "The module path '' (the model itself) cannot be cached: its output is the model's output",
        where: `${where}${position}`,
        fix: 'Read the model output from its outKeys, or name a submodule.',
      });
    }
    return { path: item };
  }
  if (typeof item !== 'object' || item === null || Array.isArray(item) || item instanceof RegExp) {
    throw new InvalidValueError({
      what: `A cache selection entry must be a module path or a Target, got ${Array.isArray(item) ? 'a nested array' : item instanceof RegExp ? 'a RegExp inside a list' : typeof item}`,
      where: `${where}${position}`,
      fix: "Use a RegExp alone, or a list of paths and Targets, e.g. ['fc1', { path: 'fc2', indices: [0] }].",
    });
  }
  const target = normalizeTarget(item as Target);
  if (target.kind !== 'activation') {
    throw new InvalidValueError({
      what: `A Target caches activations only, got ${describeTarget(target)}`,
      where: `${where}${position}`,
      fix: "Cache gradients with directions: ['backward-pre'] on a module path (not a Target).",
    });
  }
  if (target.path === '') return entryOf('', position);
  return { path: target.path, target };
}

/**
 * Checks a selection and puts it in its configured form: a RegExp as given, or a non-empty list of distinct
 * paths and activation Targets.
 */
export function normalizeSelection(select: CacheSelection): NormalizedSelection {
  if (select instanceof RegExp) return select;
  const list: readonly unknown[] = Array.isArray(select) ? select : [select];
  if (list.length === 0) {
    throw new InvalidValueError({
      what: 'The cache selection is an empty list',
      where,
      fix: "Name at least one module, e.g. ['fc1'], or use a RegExp such as /^fc\\d+$/.",
    });
  }
  const entries = list.map((item, index) => entryOf(item, Array.isArray(select) ? `[${index}]` : ''));
  const seen = new Set<string>();
  for (const { path } of entries) {
    if (seen.has(path)) {
      throw new InvalidValueError({
        what: `The module '${path}' is selected twice; both would be cached under the same key`,
        where,
        fix: 'Select each module once (a Target can select several units of one module).',
      });
    }
    seen.add(path);
  }
  return Object.freeze(entries);
}

/** True if the selection has a Target (then only a forward capture is allowed). */
export function hasTarget(selection: NormalizedSelection): boolean {
  return !(selection instanceof RegExp) && selection.some((entry) => entry.target !== undefined);
}

/** A RegExp that matches at the start only, as Python's `re.match`. */
function matchesAtStart(pattern: RegExp, path: string): boolean {
  const sticky = new RegExp(pattern.source, `${pattern.flags.replace(/[gy]/g, '')}y`);
  return sticky.test(path);
}

/**
 * The modules a selection names on `model`: a RegExp's matches in `namedModules` order (an error if none
 * matches), or the listed entries, each checked against the model (an `UnknownPathError` for a path that
 * does not exist, an `InvalidValueError` for units out of range).
 */
export function resolveSelection(selection: NormalizedSelection, model: ModelNode): readonly CacheEntry[] {
  if (!(selection instanceof RegExp)) {
    for (const entry of selection) {
      if (entry.target === undefined) resolveModule(model, entry.path);
      else validateTarget(model, entry.target);
    }
    return selection;
  }
  const all = namedModules(model).map(([path]) => path);
  const matched = all.filter((path) => matchesAtStart(selection, path));
  if (matched.length === 0) {
    throw new InvalidValueError({
      what: `The RegExp ${String(selection)} matches no module path of the model`,
      where,
      fix: `It is matched at the start of paths such as ${all
        .slice(0, 8)
        .map((path) => `'${path}'`)
        .join(', ')}${all.length > 8 ? ', …' : ''}.`,
    });
  }
  return matched.map((path) => ({ path }));
}
