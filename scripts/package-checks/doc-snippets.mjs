// The TypeScript snippets of the READMEs and guides, typechecked as a user's project would compile them:
// each ```ts fence becomes a module in the scratch project where the tarballs are installed, compiled by the
// repository's tsc with `strict` and `skipLibCheck` (TF.js's own typings need it; the READMEs say so).
//
// A snippet that is a fragment names its prelude (declarations of what it assumes, `model`, `x`, …) in an
// HTML comment right before the fence; pseudo-code opts out. Keep opt-outs few: they are counted.
//
//   <!-- snippet: layers-model, input -->   preludes from snippet-preludes.mjs, in that order
//   <!-- snippet: no-check -->              not compiled
//
// A failure names the markdown file and line of the snippet line that failed.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

import { preludes } from './snippet-preludes.mjs';

/** The markdown files whose snippets are checked: every package's README and docs, the root README, docs/. */
export function snippetSources(root) {
  const markdownIn = (dir) =>
    readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return markdownIn(path);
      return entry.name.endsWith('.md') ? [path] : [];
    });
  const packages = readdirSync(join(root, 'packages')).map((name) => join(root, 'packages', name));
  return [
    join(root, 'README.md'),
    ...readdirSync(join(root, 'docs'))
      .filter((name) => name.endsWith('.md'))
      .map((name) => join(root, 'docs', name)),
    ...packages.flatMap((dir) => {
      const readme = join(dir, 'README.md');
      const docs = join(dir, 'docs');
      return [
        ...(exists(readme) ? [readme] : []),
        ...(exists(docs) && statSync(docs).isDirectory() ? markdownIn(docs) : []),
      ];
    }),
  ];
}

function exists(path) {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}

/** The ```ts fences of one markdown text: code, the line of its first code line, and its directive. */
export function extractSnippets(text) {
  const lines = text.split('\n');
  const snippets = [];
  for (let index = 0; index < lines.length; index++) {
    if (!/^```(ts|typescript)\s*$/.test(lines[index] ?? '')) continue;
    let previous = index - 1;
    while (previous >= 0 && (lines[previous] ?? '').trim() === '') previous--;
    const directive = /^<!--\s*snippet:\s*(.*?)\s*-->$/.exec((lines[previous] ?? '').trim())?.[1];
    const code = [];
    let end = index + 1;
    for (; end < lines.length && !/^```\s*$/.test(lines[end] ?? ''); end++) code.push(lines[end]);
    const names = directive === undefined ? [] : directive.split(',').map((name) => name.trim());
    snippets.push({
      line: index + 2,
      directiveLine: directive === undefined ? undefined : previous + 1,
      code: code.join('\n'),
      check: !names.includes('no-check'),
      preludes: names.filter((name) => name !== 'no-check' && name !== ''),
    });
    index = end;
  }
  return snippets;
}

/**
 * Writes every snippet into `app/snippets` and compiles them with tsc; appends one problem per diagnostic
 * (as `file:line`) to `problems`. Returns how many snippets were checked and how many opted out.
 */
export function checkSnippets(root, app, problems) {
  const dir = join(app, 'snippets');
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ name: 'snippets', private: true, type: 'module' }),
  );
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        strict: true,
        skipLibCheck: true,
        noEmit: true,
        target: 'es2022',
        module: 'nodenext',
        moduleResolution: 'nodenext',
        lib: ['es2022', 'esnext.disposable'],
        types: ['node'],
      },
      include: ['*.ts'],
    }),
  );
  const origins = new Map();
  let checked = 0;
  const unchecked = [];
  for (const source of snippetSources(root)) {
    const file = relative(root, source);
    for (const snippet of extractSnippets(readFileSync(source, 'utf8'))) {
      if (!snippet.check) {
        unchecked.push(`${file}:${snippet.line}`);
        continue;
      }
      const unknown = snippet.preludes.filter((name) => preludes[name] === undefined);
      if (unknown.length > 0) {
        problems.push(
          `${file}:${snippet.directiveLine}: unknown snippet prelude ${unknown.join(', ')} ` +
            `(known: ${Object.keys(preludes).join(', ')}, no-check)`,
        );
        continue;
      }
      const prelude = snippet.preludes.map((name) => preludes[name]).join('\n');
      const preludeLines = prelude === '' ? 0 : prelude.split('\n').length;
      const name = `${file.replace(/[^A-Za-z0-9]+/g, '-')}-L${snippet.line}.ts`;
      writeFileSync(join(dir, name), `${prelude}${prelude === '' ? '' : '\n'}${snippet.code}\nexport {};\n`);
      origins.set(name, { file, line: snippet.line, preludeLines, directiveLine: snippet.directiveLine });
      checked++;
    }
  }
  const tsc = join(root, 'node_modules/typescript/bin/tsc');
  let output = '';
  try {
    execFileSync('node', [tsc, '-p', dir, '--pretty', 'false'], { cwd: dir, encoding: 'utf8' });
  } catch (error) {
    output = `${error.stdout ?? ''}${error.stderr ?? ''}`;
  }
  for (const line of output.split('\n').filter((text) => text.trim() !== '')) {
    const match = /^(.+?)\((\d+),(\d+)\): (error .*)$/.exec(line);
    const origin = match && origins.get(match[1]);
    if (!match || !origin) {
      if (!/^\s/.test(line)) problems.push(`doc snippets: ${line}`);
      else problems[problems.length - 1] += `\n${line}`;
      continue;
    }
    const at = Number(match[2]) - origin.preludeLines;
    const where =
      at >= 1 ? `${origin.file}:${origin.line + at - 1}` : `${origin.file}:${origin.directiveLine} (prelude)`;
    problems.push(`doc snippet ${where}: ${match[4]}`);
  }
  return { checked, unchecked };
}
