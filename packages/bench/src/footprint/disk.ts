// Sizes on disk: a tarball's contents, and an installed package with its dependencies as npm laid them out
// (hoisted or nested), each counted once and peers left out.
import { existsSync, lstatSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';

/** Files in a .tgz and the sum of their sizes (read from the tar headers). */
export function tarballContents(bytes: Uint8Array): { readonly files: number; readonly bytes: number } {
  const tar = gunzipSync(bytes);
  let offset = 0;
  let files = 0;
  let total = 0;
  while (offset + 512 <= tar.length) {
    const header = tar.subarray(offset, offset + 512);
    if (header.every((byte) => byte === 0)) break;
    const size = parseInt(header.subarray(124, 136).toString('latin1').replace(/\0.*$/, '').trim() || '0', 8);
    const type = String.fromCharCode(header[156] ?? 0);
    if (type === '0' || type === '\0') {
      files++;
      total += size;
    }
    offset += 512 + Math.ceil(size / 512) * 512;
  }
  return { files, bytes: total };
}

/** Bytes of the files under `dir` (symbolic links not followed), without its own node_modules folder. */
export function packageBytes(dir: string, top = true): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (top && entry.name === 'node_modules') continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) total += packageBytes(path, false);
    else if (entry.isFile()) total += lstatSync(path).size;
  }
  return total;
}

interface Manifest {
  readonly name: string;
  readonly version: string;
  readonly dependencies?: Record<string, string>;
  readonly optionalDependencies?: Record<string, string>;
}

/** Where Node would find `name` from the package at `from`: its node_modules, then each one above it. */
function locate(project: string, from: string, name: string): string | undefined {
  let dir = from;
  for (;;) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dir === project || dirname(dir) === dir) return undefined;
    dir = dirname(dir);
  }
}

/**
 * The packages `names` installed in `project` and everything they depend on (dependencies and installed
 * optional dependencies, transitively; not peers): their bytes on disk, each package directory once.
 */
export function installedClosure(
  project: string,
  names: readonly string[],
): { readonly bytes: number; readonly installed: readonly string[]; readonly missing: readonly string[] } {
  const seen = new Map<string, string>();
  const missing: string[] = [];
  const visit = (from: string, name: string, optional: boolean): void => {
    const dir = locate(project, from, name);
    if (dir === undefined) {
      if (!optional) missing.push(name);
      return;
    }
    if (seen.has(dir)) return;
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest;
    seen.set(dir, `${manifest.name}@${manifest.version}`);
    for (const dep of Object.keys(manifest.dependencies ?? {})) visit(dir, dep, false);
    for (const dep of Object.keys(manifest.optionalDependencies ?? {})) visit(dir, dep, true);
  };
  for (const name of names) visit(project, name, false);
  return {
    bytes: [...seen.keys()].reduce((sum, dir) => sum + packageBytes(dir), 0),
    installed: [...seen.values()].sort(),
    missing,
  };
}
