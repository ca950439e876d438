// An esbuild plugin that bundles tfjs-core's gradient registry (dist/register_all_gradients.js) so that it
// runs in plain Node against the *installed* tfjs-core, instead of against a private copy of it.
//
// Why: tfjs-core ships its gradient functions only as an ES-module tree with extension-less imports, which
// Node cannot load; its Node bundle has none (only the @tensorflow/tfjs umbrella inlines them). Bundling the
// tree naively duplicates tfjs-core's engine, Tensor class and registries, which breaks at run time. This
// plugin rewrites every internal module whose exports tfjs-core also exports publicly into a shim that
// re-exports the public ones, so the bundle holds only the gradient code and a few internal helper ops.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

import type { Plugin } from 'esbuild';

const require = createRequire(import.meta.url);
const publicCore = require('@tensorflow/tfjs-core') as Record<string, unknown>;
const coreDist = dirname(require.resolve('@tensorflow/tfjs-core/dist/register_all_gradients.js'));

// Namespaces where tfjs-core exports internals publicly, searched after the top level.
const publicNamespaces = ['backend_util', 'util', 'broadcast_util', 'slice_util', 'tensor_util'] as const;
// Modules that hold global state: a bundled copy would split the engine or registries, so they must map.
const mustShare = new Set([
  'engine.js',
  'tensor.js',
  'environment.js',
  'global_util.js',
  'kernel_registry.js',
  'globals.js',
]);
// Bundled as code: the gradient functions themselves.
const bundledAsCode = (file: string): boolean =>
  file.startsWith('gradients/') || file === 'register_all_gradients.js';

function exportedNames(file: string, seen = new Set<string>()): string[] {
  if (seen.has(file)) return [];
  seen.add(file);
  const source = readFileSync(file, 'utf8');
  const names: string[] = [];
  for (const match of source.matchAll(
    /^export (?:const|let|var|function\*?|class|async function) ([A-Za-z_$][\w$]*)/gm,
  )) {
    names.push(match[1] ?? '');
  }
  for (const match of source.matchAll(/^export \{([^}]*)\}(?! from)/gm)) {
    for (const part of (match[1] ?? '').split(',')) {
      const name = part
        .trim()
        .split(/\s+as\s+/)
        .pop();
      if (name !== undefined && name !== '') names.push(name);
    }
  }
  for (const match of source.matchAll(/^export \* from '([^']+)'/gm)) {
    names.push(...exportedNames(resolve(dirname(file), `${match[1] ?? ''}.js`), seen));
  }
  return names;
}

// Internal names of shared state, and the public expression that yields the same object.
const sharedState: Readonly<Record<string, string>> = {
  ENGINE: 'core.engine()',
  getGlobalTensorClass: '() => core.Tensor',
};

function publicSource(name: string): string | undefined {
  const shared = sharedState[name];
  if (shared !== undefined) return shared;
  if (name in publicCore) return `core.${name}`;
  for (const namespace of publicNamespaces) {
    const value = publicCore[namespace];
    if (typeof value === 'object' && value !== null && name in value) return `core.${namespace}.${name}`;
  }
  return undefined;
}

/** Builds the shim for one internal module, or returns undefined if it must be bundled as code. */
function shimFor(file: string): string | undefined {
  const fromDist = relative(coreDist, file);
  if (bundledAsCode(fromDist)) return undefined;
  const names = [...new Set(exportedNames(file))];
  const mapped = names.map((name) => [name, publicSource(name)] as const);
  const missing = mapped.filter(([, source]) => source === undefined).map(([name]) => name);
  if (missing.length > 0 && !mustShare.has(fromDist)) return undefined;
  const lines = ["import * as core from '@tensorflow/tfjs-core';"];
  for (const [name, source] of mapped)
    if (source !== undefined) lines.push(`export const ${name} = ${source};`);
  return lines.join('\n');
}

/**
 * The plugin: resolve relative imports inside tfjs-core's dist either to a public-API shim or, for gradient
 * code and internal-only helpers, to the file itself.
 */
export function tfjsGradientsPlugin(): Plugin {
  return {
    name: 'tfjs-gradients',
    setup(build) {
      build.onResolve({ filter: /^\.\.?\// }, (args) => {
        if (!args.importer.startsWith(coreDist)) return undefined;
        const file = resolve(args.resolveDir, `${args.path}.js`);
        const shim = shimFor(file);
        return shim === undefined ? { path: file } : { path: file, namespace: 'tfjs-public-shim' };
      });
      build.onLoad({ filter: /.*/, namespace: 'tfjs-public-shim' }, (args) => ({
        contents: shimFor(args.path) ?? '',
        resolveDir: coreDist,
        loader: 'js',
      }));
    },
  };
}

export const tfjsCoreDist: string = coreDist;
export const registerAllGradientsPath: string = join(coreDist, 'register_all_gradients.js');
