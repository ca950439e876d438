// A package with several entry points (`@tdhook/core` and `@tdhook/core/plugin`) must load each of its modules
// once, whichever entries an app imports: a module bundled into two output files is two copies of its classes
// (`instanceof` fails between what one entry returns and the other exports) and of its module-level state.
// tsup's code splitting puts shared modules in chunks; this checks that it did, in ESM and in CJS, from the
// installed package's source maps: every source file is in at most one output file that the entries load.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';

/** The files an exports target lists, by condition: `{ import: 'dist/index.js', require: 'dist/index.cjs' }`. */
function entryFiles(target, found = {}, condition = 'default') {
  if (typeof target === 'string') {
    if (/\.[cm]?js$/.test(target)) found[condition] = [...(found[condition] ?? []), target];
    return found;
  }
  for (const [name, value] of Object.entries(target ?? {})) {
    if (name === 'types') continue;
    entryFiles(value, found, name === 'default' ? condition : name);
  }
  return found;
}

/** `file` and every output file it loads through relative imports or requires, transitively. */
function loadedFiles(dir, file) {
  const seen = new Set();
  const visit = (path) => {
    if (seen.has(path) || !existsSync(join(dir, path))) return;
    seen.add(path);
    const code = readFileSync(join(dir, path), 'utf8');
    for (const match of code.matchAll(
      /(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\(\s*)['"](\.{1,2}\/[^'"]+)['"]/g,
    )) {
      visit(normalize(join(dirname(path), match[1])));
    }
  };
  visit(normalize(file));
  return [...seen];
}

/**
 * Checks the installed package in `dir` (its manifest `manifest`) and appends a line per module bundled into
 * more than one output file (per format) to `problems`.
 */
export function checkSharedModules(name, dir, manifest, problems) {
  const byCondition = {};
  for (const [subpath, target] of Object.entries(manifest.exports ?? {})) {
    if (subpath === './package.json') continue;
    for (const [condition, files] of Object.entries(entryFiles(target))) {
      if (condition === '@tdhook/source') continue;
      byCondition[condition] = [...(byCondition[condition] ?? []), ...files];
    }
  }
  for (const [condition, entries] of Object.entries(byCondition)) {
    if (entries.length < 2) continue;
    const files = [...new Set(entries.flatMap((entry) => loadedFiles(dir, entry)))];
    const owners = new Map();
    for (const file of files) {
      const map = join(dir, `${file}.map`);
      if (!existsSync(map)) continue;
      const { sources } = JSON.parse(readFileSync(map, 'utf8'));
      for (const source of sources) {
        const module = relative(dir, join(dir, dirname(file), source));
        owners.set(module, [...(owners.get(module) ?? []), file]);
      }
    }
    for (const [module, outputs] of owners) {
      if (outputs.length > 1) {
        problems.push(
          `${name}: ${module} is bundled into ${outputs.join(' and ')} (${condition}): two copies of its ` +
            'classes and state; build the entries together with code splitting (tsup `splitting: true`)',
        );
      }
    }
  }
}
