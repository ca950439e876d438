// The tdhook repository this bench runs in, and its published packages.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

export interface WorkspacePackage {
  readonly name: string;
  readonly version: string;
  readonly dir: string;
  /** Its runtime `dependencies` (not peers) by name: other workspace packages among them must be packed too. */
  readonly dependencies: readonly string[];
}

/** The nearest folder at or above one of `starts` that holds pnpm-workspace.yaml and a packages/ folder. */
export function findRepositoryRoot(starts: readonly string[]): string | undefined {
  for (const start of starts) {
    let dir = resolve(start);
    for (;;) {
      if (existsSync(join(dir, 'pnpm-workspace.yaml')) && existsSync(join(dir, 'packages'))) return dir;
      const parent = dirname(dir);
      if (parent === dir) break;
      dir = parent;
    }
  }
  return undefined;
}

/** packages/* whose package.json is not `private: true`, in folder order. */
export function publishedPackages(root: string): readonly WorkspacePackage[] {
  const packagesDir = join(root, 'packages');
  return readdirSync(packagesDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(packagesDir, entry.name, 'package.json')))
    .map((entry) => {
      const dir = join(packagesDir, entry.name);
      const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
        name: string;
        version: string;
        private?: boolean;
        dependencies?: Record<string, string>;
      };
      return {
        name: manifest.name,
        version: manifest.version,
        dir,
        dependencies: Object.keys(manifest.dependencies ?? {}),
        published: manifest.private !== true,
      };
    })
    .filter((pkg) => pkg.published)
    .map(({ name, version, dir, dependencies }) => ({ name, version, dir, dependencies }));
}

/**
 * `wanted` and every published workspace package they depend on at run time, transitively (what an offline
 * install of their tarballs needs beside them: none of them is on the registry), in the order of `all`.
 */
export function withWorkspaceDependencies(
  wanted: readonly WorkspacePackage[],
  all: readonly WorkspacePackage[],
): readonly WorkspacePackage[] {
  const names = new Set(wanted.map((pkg) => pkg.name));
  const queue = [...wanted];
  for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
    for (const dependency of next.dependencies) {
      const found = all.find((pkg) => pkg.name === dependency);
      if (found === undefined || names.has(found.name)) continue;
      names.add(found.name);
      queue.push(found);
    }
  }
  return all.filter((pkg) => names.has(pkg.name));
}
