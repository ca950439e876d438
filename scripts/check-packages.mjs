// `pnpm check:packages`: what users install, checked the way they get it. For every publishable package:
// pack it with pnpm (as `changeset publish` does), lint the tarball with publint and arethetypeswrong, refuse
// leaked `workspace:`/`catalog:` ranges and runtime-choosing dependencies, install all tarballs into a
// scratch project with npm, import each entry point from ESM and from CJS (and check that the entries of one
// package share one copy of each module: package-checks/shared-modules.mjs), report packed and installed sizes, and
// bundle entries for the browser against their size budgets (package-checks/bundle-sizes.mjs), check that every
// relative link in a shipped markdown file resolves inside its tarball (package-checks/markdown-links.mjs), and
// typecheck the TypeScript snippets of the READMEs and guides against the installed tarballs
// (package-checks/doc-snippets.mjs).
// `--write` also records the sizes in docs/package-sizes.md.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { publint } from 'publint';
import { formatMessage } from 'publint/utils';

import { bundleTable, measureBundles } from './package-checks/bundle-sizes.mjs';
import { checkSnippets } from './package-checks/doc-snippets.mjs';
import { checkTarballLinks } from './package-checks/markdown-links.mjs';
import { checkSharedModules } from './package-checks/shared-modules.mjs';

const root = new URL('..', import.meta.url).pathname;
const write = process.argv.includes('--write');
const scratch = mkdtempSync(join(tmpdir(), 'tdhook-packages-'));
const tarballs = join(scratch, 'tarballs');
mkdirSync(tarballs);
const problems = [];
const run = (command, args, cwd) =>
  execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

const packages = readdirSync(join(root, 'packages'))
  .map((name) => join(root, 'packages', name))
  .map((dir) => ({ dir, manifest: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) }))
  .filter(({ manifest }) => manifest.private !== true);

// Dependencies that would choose the runtime for the user; only @tdhook/backend may have them.
const runtimeChoosing = /^@tensorflow\/tfjs(-backend-[a-z0-9-]+|-node(-gpu)?)?$/;

for (const pkg of packages) {
  const name = pkg.manifest.name;
  const output = run('pnpm', ['pack', '--pack-destination', tarballs], pkg.dir).trim().split('\n');
  pkg.tarball = output[output.length - 1];
  pkg.packedBytes = statSync(pkg.tarball).size;
  const listing = run('tar', ['-tzvf', pkg.tarball], root).trim().split('\n');
  pkg.files = listing.length;
  pkg.unpackedBytes = listing.reduce((sum, line) => sum + Number(line.split(/\s+/)[2] ?? 0), 0);

  pkg.linksChecked = checkTarballLinks(name, pkg.tarball, problems);

  const packedManifest = JSON.parse(run('tar', ['-xzOf', pkg.tarball, 'package/package.json'], root));
  for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies']) {
    for (const [dep, range] of Object.entries(packedManifest[field] ?? {})) {
      if (/^(workspace|catalog|link|file):/.test(range))
        problems.push(`${name}: ${field}.${dep} is "${range}" in the tarball`);
      if (field !== 'peerDependencies' && runtimeChoosing.test(dep) && name !== '@tdhook/backend') {
        problems.push(
          `${name}: ${field}.${dep}: only @tdhook/backend may depend on a backend, tfjs-node or the umbrella`,
        );
      }
    }
  }
  if (!packedManifest.peerDependencies?.['@tensorflow/tfjs-core']) {
    problems.push(`${name}: @tensorflow/tfjs-core must be a peer dependency`);
  }

  // A small file's Buffer is a view into Node's shared pool: hand publint exactly the tarball's bytes.
  const packed = readFileSync(pkg.tarball);
  const { messages, pkg: lintedManifest } = await publint({
    pack: { tarball: packed.buffer.slice(packed.byteOffset, packed.byteOffset + packed.byteLength) },
    level: 'suggestion',
    strict: true,
  });
  for (const message of messages) {
    const line = `${name}: publint ${message.type}: ${formatMessage(message, lintedManifest)}`;
    if (message.type === 'suggestion') console.log(line);
    else problems.push(line);
  }

  try {
    run('pnpm', ['exec', 'attw', pkg.tarball, '--format', 'ascii', '--no-color'], root);
  } catch (error) {
    problems.push(`${name}: arethetypeswrong found problems:\n${error.stdout}`);
  }
}

// Install the tarballs as a user would (npm, registry tfjs-core as the peer) and import them both ways.
const app = join(scratch, 'app');
mkdirSync(app);
writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'scratch', private: true }));
const installedVersion = (path) => JSON.parse(readFileSync(join(root, path, 'package.json'), 'utf8')).version;
const tfjsCore = installedVersion('packages/core/node_modules/@tensorflow/tfjs-core');
// For the doc snippets: the TF.js packages they import, and Node's types, as a user's project has them.
const tfjsLayers = installedVersion('packages/core/node_modules/@tensorflow/tfjs-layers');
const tfjsConverter = installedVersion('packages/adapter-cv/node_modules/@tensorflow/tfjs-converter');
const typesNode = installedVersion('node_modules/@types/node');
run(
  'npm',
  [
    'install',
    '--no-audit',
    '--no-fund',
    '--no-package-lock',
    '--loglevel=error',
    ...packages.map((p) => p.tarball),
    `@tensorflow/tfjs-core@${tfjsCore}`,
    `@tensorflow/tfjs-layers@${tfjsLayers}`,
    `@tensorflow/tfjs-converter@${tfjsConverter}`,
    `@types/node@${typesNode}`,
  ],
  app,
);

function directoryBytes(dir) {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    total += entry.isDirectory() ? directoryBytes(path) : statSync(path).size;
  }
  return total;
}

for (const pkg of packages) {
  const name = pkg.manifest.name;
  // Installed size: the package plus everything it pulls in, except peers (the user's tfjs-core).
  const seen = new Set();
  const visit = (dep) => {
    if (seen.has(dep)) return;
    seen.add(dep);
    const manifest = JSON.parse(readFileSync(join(app, 'node_modules', dep, 'package.json'), 'utf8'));
    for (const child of Object.keys(manifest.dependencies ?? {})) visit(child);
  };
  visit(name);
  pkg.installedBytes = [...seen].reduce(
    (sum, dep) => sum + directoryBytes(join(app, 'node_modules', dep)),
    0,
  );
  pkg.installedPackages = seen.size;

  // Every entry point: the main one and each subpath (`@tdhook/core/plugin`), from ESM and from CJS.
  pkg.exportCounts = [];
  for (const subpath of Object.keys(pkg.manifest.exports).filter((path) => path !== './package.json')) {
    const specifier = `${name}${subpath.slice(1)}`;
    const esm = `import * as m from '${specifier}'; console.log(JSON.stringify(Object.keys(m).sort()));`;
    const cjs = `const m = require('${specifier}'); console.log(JSON.stringify(Object.keys(m).sort()));`;
    try {
      const esmKeys = JSON.parse(run('node', ['--input-type=module', '-e', esm], app));
      const cjsKeys = JSON.parse(run('node', ['-e', cjs], app));
      if (esmKeys.length === 0) problems.push(`${specifier}: the ESM build exports nothing`);
      if (esmKeys.includes('default') || cjsKeys.includes('default'))
        problems.push(`${specifier}: exports a default; use named exports only`);
      if (JSON.stringify(esmKeys) !== JSON.stringify(cjsKeys)) {
        problems.push(`${specifier}: ESM exports ${esmKeys.join(',')} but CJS exports ${cjsKeys.join(',')}`);
      }
      pkg.exportCounts.push(`${esmKeys.length}${subpath === '.' ? '' : ` (\`${subpath.slice(1)}\`)`}`);
    } catch (error) {
      problems.push(`${specifier}: importing the installed tarball failed:\n${error.stderr ?? error}`);
    }
  }
  checkSharedModules(name, join(app, 'node_modules', name), pkg.manifest, problems);
}

const bundles = await measureBundles(app, problems);
const snippets = checkSnippets(root, app, problems);

const kib = (bytes) => `${(bytes / 1024).toFixed(1)} KiB`;
const table = [
  '| package | version | files | packed | unpacked | installed (with dependencies, without peers) | runtime exports (per entry) |',
  '|---|---|---|---|---|---|---|',
  ...packages.map(
    (p) =>
      `| \`${p.manifest.name}\` | ${p.manifest.version} | ${p.files} | ${kib(p.packedBytes)} | ${kib(p.unpackedBytes)} | ${kib(p.installedBytes ?? 0)} (${p.installedPackages ?? 0} package${p.installedPackages === 1 ? '' : 's'}) | ${p.exportCounts.join(' + ') || '?'} |`,
  ),
].join('\n');
const bundleSizes = bundleTable(bundles);
console.log(`\n${table}\n\n${bundleSizes}\n`);
if (write) {
  const date = new Date().toISOString().slice(0, 10);
  writeFileSync(
    join(root, 'docs/package-sizes.md'),
    `# Package sizes\n\nWritten by \`pnpm check:packages --write\` on ${date} (Node ${process.version}). Packed: the tarball \`pnpm pack\` makes. ` +
      'Installed: bytes on disk after `npm install` of the tarball, counting its dependencies but not its peers ' +
      "(`@tensorflow/tfjs-core` and a backend are the user's).\n\n" +
      `${table}\n\n## Bundle sizes\n\n` +
      'What an app pays for one import: esbuild (browser platform, minified, ESM) bundling the entry from the ' +
      'installed tarballs, with the TF.js packages (peers) and Node built-ins external. A bundle over its budget ' +
      'fails `pnpm check:packages`; the budgets are in `scripts/package-checks/bundle-sizes.mjs`.\n\n' +
      `${bundleSizes}\n`,
  );
}
// TDHOOK_KEEP_SCRATCH=1 keeps the scratch project (tarballs, install, snippet modules) for a closer look.
if (process.env.TDHOOK_KEEP_SCRATCH === '1') console.log(`scratch project kept: ${scratch}`);
else rmSync(scratch, { recursive: true, force: true });

if (problems.length > 0) {
  console.error(`${problems.length} packaging problem(s):\n- ${problems.join('\n- ')}`);
  process.exitCode = 1;
} else {
  console.log(
    `${packages.length} publishable package(s) pass publint, arethetypeswrong, and ESM + CJS import of every entry point from a fresh install.`,
  );
}
console.log(
  `Links: ${packages.reduce((sum, p) => sum + (p.linksChecked ?? 0), 0)} relative links in shipped markdown checked. ` +
    `Doc snippets: ${snippets.checked} typechecked (strict, skipLibCheck), ${snippets.unchecked.length} marked no-check` +
    `${snippets.unchecked.length > 0 ? ` (${snippets.unchecked.join(', ')})` : ''}.`,
);
