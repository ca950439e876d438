import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

import { PluginError } from './plugin-error.js';

/** Conditions of a package's `exports` that an ESM import in Node matches, in order of preference. */
const conditions = ['import', 'node', 'default'];

type Exports = string | readonly Exports[] | { readonly [key: string]: Exports } | null;

/** The target of `exports` for a subpath (`.` or `./sub`), following conditions; no `*` patterns. */
function exportTarget(exports: Exports, subpath: string): string | undefined {
  if (exports === null) return undefined;
  if (typeof exports === 'string') return subpath === '.' ? exports : undefined;
  if (Array.isArray(exports)) {
    for (const entry of exports as readonly Exports[]) {
      const target = exportTarget(entry, subpath);
      if (target !== undefined) return target;
    }
    return undefined;
  }
  const record = exports as { readonly [key: string]: Exports };
  const keys = Object.keys(record);
  if (keys.some((key) => key.startsWith('.'))) {
    const entry = record[subpath];
    return entry === undefined ? undefined : exportTarget(entry, '.');
  }
  for (const condition of conditions) {
    const entry = record[condition];
    if (entry !== undefined) {
      const target = exportTarget(entry, subpath);
      if (target !== undefined) return target;
    }
  }
  return undefined;
}

/** The module file of a package folder for a subpath: its `exports` (import conditions), else `main`. */
function packageEntry(folder: string, subpath: string): string | undefined {
  const manifestPath = join(folder, 'package.json');
  if (!existsSync(manifestPath)) return subpath === '.' ? join(folder, 'index.js') : join(folder, subpath);
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { exports?: Exports; main?: string };
  if (manifest.exports !== undefined) {
    const target = exportTarget(manifest.exports, subpath);
    return target === undefined ? undefined : join(folder, target);
  }
  return join(folder, subpath === '.' ? (manifest.main ?? 'index.js') : subpath);
}

/** `@scope/name/sub` → the package name and the subpath (`.` or `./sub`). */
function splitSpecifier(specifier: string): { name: string; subpath: string } {
  const parts = specifier.split('/');
  const length = specifier.startsWith('@') ? 2 : 1;
  const rest = parts.slice(length).join('/');
  return { name: parts.slice(0, length).join('/'), subpath: rest === '' ? '.' : `./${rest}` };
}

/** A package folder `node_modules/<name>` in `from` or a folder above it. */
function findPackage(name: string, from: string): string | undefined {
  for (let folder = from; ; folder = dirname(folder)) {
    const candidate = join(folder, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dirname(folder) === folder) return undefined;
  }
}

const looksLikePath = (specifier: string): boolean =>
  specifier.startsWith('.') ||
  isAbsolute(specifier) ||
  specifier.startsWith('file:') ||
  specifier.includes('\\');

/**
 * Where a `--plugin` module is: a path (file, or a folder with a package.json) relative to `cwd`, or an
 * installed package name resolved from `cwd` as an ESM import would (`exports` with the `import`
 * condition, else `main`). Returns what `import()` takes; a package not found from `cwd` is left to
 * `import()` itself, which looks next to tdhook (a global install beside a global plugin).
 *
 * @example
 * resolvePlugin('./my-method.mjs', process.cwd()); // 'file:///home/me/my-method.mjs'
 */
export function resolvePlugin(specifier: string, cwd: string): string {
  const path = specifier.startsWith('file:') ? new URL(specifier).pathname : resolve(cwd, specifier);
  if (looksLikePath(specifier) || existsSync(path)) {
    if (!existsSync(path)) {
      throw new PluginError(
        `plugin '${specifier}': no file at ${path}. Give the path of a JavaScript module (.js, .mjs, .cjs) or the name of an installed package.`,
      );
    }
    const file = statSync(path).isDirectory() ? packageEntry(path, '.') : path;
    if (file === undefined || !existsSync(file)) {
      throw new PluginError(
        `plugin '${specifier}': the folder ${path} has no module to import (package.json exports/main, or index.js). Build it, or give the module's path.`,
      );
    }
    return pathToFileURL(file).href;
  }
  const { name, subpath } = splitSpecifier(specifier);
  const folder = findPackage(name, cwd);
  if (folder === undefined) return specifier;
  const file = packageEntry(folder, subpath);
  if (file === undefined || !existsSync(file)) {
    throw new PluginError(
      `plugin '${specifier}': the package at ${folder} exports no '${subpath}' module for import (or it is not built). Check the name, or give the module's path.`,
    );
  }
  return pathToFileURL(file).href;
}
