// Every export of a published package's entry points (the main entry and every subpath in its `exports`, such
// as `@tdhook/core/plugin`) carries TSDoc with an @example: functions, classes and constants, and types and
// interfaces too. Lists what lacks one and fails, so the rule holds as packages grow.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import ts from 'typescript';

const root = new URL('..', import.meta.url).pathname;
const packages = readdirSync(join(root, 'packages'))
  .map((name) => join(root, 'packages', name))
  .filter((dir) => JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).private !== true);

/** The source file of every entry point `exports` lists (its `@tdhook/source` condition), e.g. src/plugin.ts. */
function entryPoints(dir) {
  const { exports } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  return Object.values(exports)
    .map((target) => (typeof target === 'object' ? target['@tdhook/source'] : undefined))
    .filter((source) => typeof source === 'string')
    .map((source) => join(dir, source));
}

const missing = [];
let checked = 0;
let entries = 0;
for (const entry of packages.flatMap(entryPoints)) {
  entries++;
  const program = ts.createProgram([entry], {
    allowJs: false,
    noEmit: true,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
  });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(entry);
  const moduleSymbol = source && checker.getSymbolAtLocation(source);
  if (!moduleSymbol) continue;
  for (const exported of checker.getExportsOfModule(moduleSymbol)) {
    const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
    const declaration = symbol.declarations?.[0];
    if (!declaration) continue;
    checked++;
    const tags = ts.getJSDocTags(declaration).map((tag) => tag.tagName.text);
    const documented = ts.getJSDocCommentsAndTags(declaration).length > 0;
    if (!documented || !tags.includes('example')) {
      const file = declaration.getSourceFile().fileName.replace(`${root}`, '');
      const from = entry.replace(`${root}`, '');
      missing.push(
        `${exported.name} (${file}, exported by ${from}): ${documented ? 'no @example' : 'no TSDoc'}`,
      );
    }
  }
}
if (missing.length > 0) {
  console.error(
    `${missing.length} export(s) without the TSDoc the house style asks for:\n- ${missing.join('\n- ')}`,
  );
  process.exitCode = 1;
} else {
  console.log(
    `TSDoc: ${checked} exports of ${entries} entry points in ${packages.length} package(s) documented, each with an @example`,
  );
}
