import { TdhookError, type AnyMethodFactory, type MethodRegistry } from '@tdhook/core';

import { PluginError } from './plugin-error.js';
import { resolvePlugin } from './resolve-plugin.js';

/**
 * A loaded `--plugin` module and the method ids it registered.
 *
 * @example
 * const plugins: LoadedPlugin[] = await loadPlugins(['./my-method.mjs'], registry);
 * plugins[0]?.ids; // ['acme/my-method']
 */
export interface LoadedPlugin {
  readonly specifier: string;
  readonly ids: readonly string[];
}

const isFactory = (value: unknown): value is AnyMethodFactory =>
  typeof value === 'function' &&
  typeof (value as { definition?: unknown }).definition === 'object' &&
  (value as { definition?: unknown }).definition !== null;

/** A bare definition object someone forgot to pass through defineMethod. */
const isDefinition = (value: unknown): boolean =>
  typeof value === 'object' && value !== null && 'contract' in value && 'bind' in value;

const messageOf = (error: unknown): string =>
  (error instanceof Error ? error.message : String(error)).replace(/\s*\n\s*/g, ' ');

/** What the module exports, with a CommonJS module's `module.exports` object opened up. */
function exportedValues(namespace: Record<string, unknown>): Map<string, unknown> {
  const values = new Map<string, unknown>(Object.entries(namespace));
  const fallback = namespace.default;
  if (typeof fallback === 'object' && fallback !== null && !isDefinition(fallback)) {
    for (const [name, value] of Object.entries(fallback)) if (!values.has(name)) values.set(name, value);
  }
  return values;
}

async function importPlugin(specifier: string, cwd: string): Promise<Record<string, unknown>> {
  const url = resolvePlugin(specifier, cwd);
  try {
    return (await import(url)) as Record<string, unknown>;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const missing = code === 'ERR_MODULE_NOT_FOUND' && messageOf(error).includes(`'${specifier}'`);
    if (url === specifier && missing) {
      throw new PluginError(
        `plugin '${specifier}': no such package, from ${cwd} or beside tdhook. Install it (npm install ${specifier}) or give the module's path.`,
      );
    }
    throw new PluginError(`plugin '${specifier}' failed to load: ${messageOf(error)}`);
  }
}

/**
 * Imports each `--plugin` module (a path or a package name, resolved from `cwd`) and registers every
 * method factory it exports (`defineMethod(...)` results) in `registry`, in order. Each problem is a
 * {@link PluginError} naming the plugin: a module that cannot be found or fails to load, one that exports no
 * method factory, a factory written for another contract, or an id that is already registered.
 *
 * @example
 * const registry = visionMethodRegistry();
 * await loadPlugins(['@acme/tdhook-methods', './local-method.mjs'], registry);
 * registry.has('acme/occlusion'); // true
 */
export async function loadPlugins(
  specifiers: readonly string[],
  registry: MethodRegistry,
  cwd: string = process.cwd(),
): Promise<LoadedPlugin[]> {
  const registeredBy = new Map<string, string>(registry.list().map(({ id }) => [id, 'tdhook (built in)']));
  const loaded: LoadedPlugin[] = [];
  for (const specifier of new Set(specifiers)) {
    const values = exportedValues(await importPlugin(specifier, cwd));
    const factories = [...new Set([...values.values()].filter(isFactory))];
    if (factories.length === 0) {
      const definitions = [...values].filter(([, value]) => isDefinition(value)).map(([name]) => name);
      const names = [...values.keys()].filter((name) => name !== 'default');
      throw new PluginError(
        definitions.length > 0
          ? `plugin '${specifier}' exports method definitions (${definitions.join(', ')}), not method factories. Export defineMethod(definition) instead (defineMethod is in @tdhook/core/plugin).`
          : `plugin '${specifier}' exports no method factories (what defineMethod from @tdhook/core/plugin returns); it exports ${names.join(', ') || 'nothing'}.`,
      );
    }
    const ids: string[] = [];
    for (const factory of factories) {
      const id = factory.definition.id;
      const owner = registeredBy.get(id);
      if (owner !== undefined) {
        // The same factory re-exported by a second plugin is already there.
        if (registry.get(id) === (factory as unknown)) continue;
        throw new PluginError(
          `plugin '${specifier}': method id '${id}' is already registered by ${owner === 'tdhook (built in)' ? owner : `plugin '${owner}'`}. Method ids are unique: load one of the two.`,
        );
      }
      try {
        registry.use(factory);
      } catch (error) {
        if (!TdhookError.is(error)) throw error;
        throw new PluginError(`plugin '${specifier}': ${messageOf(error)}`);
      }
      registeredBy.set(id, specifier);
      ids.push(id);
    }
    loaded.push({ specifier, ids });
  }
  return loaded;
}
