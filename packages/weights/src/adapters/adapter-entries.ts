import { InvalidValueError, resolveModule, type HookSpec, type ModelNode } from '@tdhook/core';
import { describeStructure, isPlainObject } from '@tdhook/core/plugin';

import { isAdapter, type Adapter } from './adapter.js';

/**
 * One adapter of {@link AdaptersOptions}: the adapter, the module whose output it reads (`from`) and the module
 * whose output it replaces (`to`, default `from`: in place).
 *
 * @example
 * const inPlace: AdapterEntry = { adapter: sae, from: 'blocks.0.hook_resid_post' };
 * const transcoder: AdapterEntry = { adapter: transcoder, from: 'blocks.0.ln2', to: 'blocks.0.mlp' };
 */
export interface AdapterEntry {
  readonly adapter: Adapter;
  readonly from: string;
  readonly to?: string;
}

/**
 * An {@link AdapterEntry} once checked: `to` filled in (equal to `from` for an in-place adapter).
 *
 * @example
 * const entry: ConfiguredAdapterEntry = { adapter: sae, from: 'linear2', to: 'linear2' };
 */
export interface ConfiguredAdapterEntry {
  readonly adapter: Adapter;
  readonly from: string;
  readonly to: string;
}

/** A forward hook spec of an adapter. */
type ForwardSpec = HookSpec & { readonly direction: 'forward' };

/** An adapter with its name, as the method works through them (record order). */
export interface NamedAdapter extends ConfiguredAdapterEntry {
  readonly name: string;
}

function checkPath(value: unknown, field: string, name: string, where: string): string {
  if (typeof value !== 'string') {
    throw new InvalidValueError({
      what: `adapters.${name}.${field} must be a module path, got ${describeStructure(value)}`,
      where,
      fix: `E.g. { adapter, from: 'blocks.0.hook_resid_post' }${field === 'to' ? ", or leave 'to' out to replace from's own output" : ''}.`,
    });
  }
  if (value === '') {
    throw new InvalidValueError({
      what: `adapters.${name}.${field} is '', the model itself, whose output is the model's output`,
      where,
      fix: 'Name a submodule or hook point, e.g. blocks.0.hook_resid_post.',
    });
  }
  return value;
}

/**
 * Checks the `adapters` option (a non-empty record of name → `{ adapter, from, to? }`) and returns each entry
 * with `to` filled in, frozen. Typed errors name the entry: the original's tuple form, a missing or
 * non-adapter `adapter`, a path that is not a non-empty string, an unknown field.
 *
 * @example
 * checkAdapterEntries({ double: { adapter: (v) => tf.mul(v, 2), from: 'linear2' } }, 'weights/adapters');
 */
export function checkAdapterEntries(
  adapters: unknown,
  where: string,
): Readonly<Record<string, ConfiguredAdapterEntry>> {
  if (!isPlainObject(adapters) || Object.keys(adapters).length === 0) {
    throw new InvalidValueError({
      what: `adapters must be a non-empty record of name → { adapter, from, to? }, got ${describeStructure(adapters)}`,
      where,
      fix: "E.g. adapters: { sae: { adapter: sae, from: 'blocks.0.hook_resid_post' } }.",
    });
  }
  const checked: Record<string, ConfiguredAdapterEntry> = {};
  for (const [name, entry] of Object.entries(adapters)) {
    if (Array.isArray(entry)) {
      throw new InvalidValueError({
        what: `adapters.${name} is a tuple (the original's (adapter, in_key, out_key))`,
        where,
        fix: `Write it as an object: { adapter, from: in_key, to: out_key }.`,
      });
    }
    if (!isPlainObject(entry)) {
      throw new InvalidValueError({
        what: `adapters.${name} must be { adapter, from, to? }, got ${describeStructure(entry)}`,
        where,
        fix: `E.g. ${name}: { adapter: (value) => tf.mul(value, 2), from: 'fc1' }.`,
      });
    }
    const unknown = Object.keys(entry).filter((field) => !['adapter', 'from', 'to'].includes(field));
    if (unknown.length > 0) {
      throw new InvalidValueError({
        what: `adapters.${name} has unknown field${unknown.length > 1 ? 's' : ''} ${unknown.map((field) => `'${field}'`).join(', ')}`,
        where,
        fix: 'An adapter entry has the fields adapter, from and to (to defaults to from).',
      });
    }
    if (!isAdapter(entry['adapter'])) {
      throw new InvalidValueError({
        what: `adapters.${name}.adapter must be a function (value, context) => tensor or an object with call(value), got ${describeStructure(entry['adapter'])}`,
        where,
        fix: 'Pass e.g. a SparseAutoencoder or Transcoder (tdhook Modules), or (value) => tf.mul(value, 2).',
      });
    }
    const from = checkPath(entry['from'], 'from', name, where);
    const to = entry['to'] === undefined ? from : checkPath(entry['to'], 'to', name, where);
    checked[name] = Object.freeze({ adapter: entry['adapter'], from, to });
  }
  return Object.freeze(checked);
}

/**
 * The adapters of a configured record in record order, each with its name.
 *
 * @example
 * namedAdapters(options.adapters).map(({ name, from, to }) => `${name}: ${from} → ${to}`);
 */
export function namedAdapters(adapters: Readonly<Record<string, ConfiguredAdapterEntry>>): NamedAdapter[] {
  return Object.entries(adapters).map(([name, entry]) => ({ name, ...entry }));
}

/**
 * The hook specs of one adapter, and its program (the original's): `[capture forward from]` for a cross-layer adapter, then
 * `replace forward to`; each spec names its adapter in `detail`.
 *
 * @example
 * adapterSpecs({ name: 'tc', adapter, from: 'linear1', to: 'linear2' }).program;
 * // [{ path: 'linear1', direction: 'forward', operation: 'capture', detail: { adapter: 'tc' } },
 * //  { path: 'linear2', direction: 'forward', operation: 'replace', detail: { adapter: 'tc' } }]
 */
export function adapterSpecs(entry: NamedAdapter): {
  readonly capture: ForwardSpec;
  readonly replace: ForwardSpec;
  readonly program: readonly ForwardSpec[];
} {
  const detail = { adapter: entry.name };
  const capture: ForwardSpec = { path: entry.from, direction: 'forward', operation: 'capture', detail };
  const replace: ForwardSpec = { path: entry.to, direction: 'forward', operation: 'replace', detail };
  return { capture, replace, program: entry.from === entry.to ? [replace] : [capture, replace] };
}

/**
 * Checks that every `from` and `to` names a module of `model` (core's `UnknownPathError`, listing the modules
 * there are), before anything is installed.
 *
 * @example
 * resolveAdapterPaths(namedAdapters(options.adapters), model);
 */
export function resolveAdapterPaths(entries: readonly NamedAdapter[], model: ModelNode): void {
  for (const { from, to } of entries) {
    resolveModule(model, from);
    if (to !== from) resolveModule(model, to);
  }
}
