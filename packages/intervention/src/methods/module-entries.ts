import {
  InvalidValueError,
  resolveModule,
  type HookSpec,
  type ModelNode,
  type Target,
  type TargetJSON,
} from '@tdhook/core';
import { describeTarget, normalizeTarget, validateTarget } from '@tdhook/core/plugin';

/**
 * What the intervention methods take in `modules`: module paths (the whole output) and activation Targets (only
 * their units), as the original's `list[str | Target]`.
 *
 * @example
 * const modules: ModuleSelection = ['blocks.0.hook_resid_post', { path: 'fc1', indices: [0, 3] }];
 */
export type ModuleSelection = readonly (string | Target)[];

/**
 * One module of a {@link ModuleSelection} once checked: its path (the `moduleKey` callbacks get and the key
 * results are published under), the units as a normalised Target (every unit for a bare path), and whether the
 * user gave a Target (then plans show it).
 *
 * @example
 * const entry: ModuleEntry = { path: 'fc1', units: normalizeTarget('fc1'), targeted: false };
 */
export interface ModuleEntry {
  readonly path: string;
  readonly units: TargetJSON;
  readonly targeted: boolean;
}

function show(item: unknown): string {
  if (Array.isArray(item)) return 'a nested array';
  if (item instanceof RegExp) return `the RegExp ${String(item)}`;
  return item === null ? 'null' : typeof item;
}

function entryOf(item: unknown, where: string): ModuleEntry {
  if (typeof item !== 'string' && (typeof item !== 'object' || item === null || Array.isArray(item))) {
    throw new InvalidValueError({
      what: `A modules entry must be a module path or a Target, got ${show(item)}`,
      where,
      fix: "List paths and activation Targets, e.g. ['fc1', { path: 'fc2', indices: [0] }].",
    });
  }
  if (item instanceof RegExp) {
    throw new InvalidValueError({
      what: `A modules entry must be a module path or a Target, got ${show(item)}`,
      where,
      fix: 'Name each module: list the paths the RegExp would match.',
    });
  }
  const units = normalizeTarget(item as string | Target);
  if (units.kind !== 'activation') {
    throw new InvalidValueError({
      what: `Only activation Targets can be patched or steered, got ${describeTarget(units)}`,
      where,
      fix: "Use kind 'activation' (the default): these methods replace module outputs, not gradients or parameters.",
    });
  }
  if (units.path === '') {
    throw new InvalidValueError({
      what: "The module path '' is the model itself, whose output is the model's output",
      where,
      fix: 'Name a submodule or hook point, e.g. blocks.0.hook_resid_post.',
    });
  }
  return { path: units.path, units, targeted: typeof item !== 'string' };
}

/**
 * Checks `modules` (a non-empty list of distinct module paths and activation Targets) and returns the
 * entries, frozen. Typed errors name the entry: a non-path/non-Target entry, a gradient or parameter Target,
 * the model itself, a module listed twice.
 *
 * @example
 * checkModules(['fc1', { path: 'fc2', indices: [0] }], 'intervention/steering-vectors modules');
 */
export function checkModules(modules: unknown, where: string): readonly ModuleEntry[] {
  if (!Array.isArray(modules) || modules.length === 0) {
    throw new InvalidValueError({
      what: `modules must be a non-empty list of module paths and Targets, got ${Array.isArray(modules) ? 'an empty list' : show(modules)}`,
      where,
      fix: "E.g. modules: ['blocks.0.hook_resid_post'] or [{ path: 'fc1', indices: [2] }].",
    });
  }
  const entries = (modules as unknown[]).map((item, index) => entryOf(item, `${where}[${index}]`));
  const seen = new Set<string>();
  for (const { path } of entries) {
    if (seen.has(path)) {
      throw new InvalidValueError({
        what: `The module '${path}' is listed twice`,
        where,
        fix: 'List each module once; one Target can select several units of a module.',
      });
    }
    seen.add(path);
  }
  return Object.freeze(entries);
}

/**
 * Checks that every entry names a module of `model` (an `UnknownPathError` listing the children there are),
 * before any model call.
 *
 * @example
 * resolveEntries(entries, model);
 */
export function resolveEntries(entries: readonly ModuleEntry[], model: ModelNode): void {
  for (const entry of entries) {
    if (entry.targeted) validateTarget(model, entry.units);
    else resolveModule(model, entry.path);
  }
}

/**
 * The hook spec of one entry: its path, and for a Target the units (so that plans and descriptions show them).
 *
 * @example
 * entrySpec(entry, 'replace', true); // { path: 'fc1', direction: 'forward', operation: 'replace', prepend: true }
 */
export function entrySpec(
  entry: ModuleEntry,
  operation: 'capture' | 'replace',
  prepend = false,
): HookSpec & { readonly direction: 'forward' } {
  return {
    path: entry.path,
    direction: 'forward',
    operation,
    ...(prepend ? { prepend: true } : {}),
    ...(entry.targeted ? { detail: { target: { ...entry.units } } } : {}),
  };
}
