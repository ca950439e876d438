// The footprint of tdhook's packages: packed with pnpm, installed with npm into a scratch project, imported
// in cold processes; next to the TF.js packages from the registry. Nothing is cached: every call packs,
// installs and fetches anew, in a temporary folder it removes.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { version_core } from '@tensorflow/tfjs-core';

import { commandError, npmInstall, npmPack, npmVersion, pnpmPack } from './commands.js';
import { installedClosure, tarballContents } from './disk.js';
import { measureImportTimes } from './import-time.js';
import { measureReferences } from './references.js';
import type { Footprint, InstallSetFootprint, PackageFootprint } from './types.js';
import {
  findRepositoryRoot,
  publishedPackages,
  withWorkspaceDependencies,
  type WorkspacePackage,
} from './workspace.js';

/**
 * Options of {@link measureFootprint}.
 *
 * @example
 * const options: FootprintOptions = { packages: ['@tdhook/core'], references: false };
 */
export interface FootprintOptions {
  /** The tdhook checkout whose packages/ are measured. Default: found above the current folder, or this module. */
  readonly root?: string;
  /** Only these package names. Default: every published package (package.json without `private: true`). */
  readonly packages?: readonly string[];
  /** Fetch `@tensorflow/tfjs-core`, `@tensorflow/tfjs` and `@tensorflow/tfjs-node` to compare. Default true. */
  readonly references?: boolean;
  /** Their version. Default: the tfjs-core version this runs with. */
  readonly tfjsVersion?: string;
  /** Spawns per package for the import time. Default 5. */
  readonly importRuns?: number;
  /** Told each step, as one line. */
  readonly onProgress?: (message: string) => void;
}

const typicalSet = ['@tdhook/core', '@tdhook/attribution', '@tdhook/backend'];

function installSets(
  measured: readonly WorkspacePackage[],
  all: readonly WorkspacePackage[],
  peer: string | undefined,
): readonly { name: string; packages: readonly string[] }[] {
  const names = measured.map((pkg) => pkg.name);
  const typical = typicalSet.every((name) => names.includes(name));
  return [
    ...(typical ? [{ name: 'core + attribution + backend', packages: typicalSet }] : []),
    ...(typical && peer !== undefined
      ? [{ name: 'core + attribution + backend + their peer tfjs-core', packages: [...typicalSet, peer] }]
      : []),
    ...(names.length > 1 && names.length === all.length ? [{ name: 'everything', packages: names }] : []),
  ];
}

/**
 * Measures the disk footprint and import time of tdhook's published packages: each one packed with `pnpm
 * pack` (packed and unpacked size), all installed together from their tarballs with `npm install
 * --legacy-peer-deps` into a temporary project (installed size of each package and of the install sets
 * "core + attribution + backend" and "everything": the packages and their dependencies, without peers such as
 * `@tensorflow/tfjs-core`), and imported in cold Node processes (median of `importRuns` spawns minus an empty
 * one). With `references`, `@tensorflow/tfjs-core`, the `@tensorflow/tfjs` umbrella and
 * `@tensorflow/tfjs-node` (without the libtensorflow its install script would download) are fetched from the
 * npm registry and measured the same way. Failures (no network, say) are recorded in `notes` or the
 * reference's `error`, never thrown.
 *
 * @example
 * const footprint = await measureFootprint({ onProgress: (line) => console.error(line) });
 * console.log(formatFootprintMarkdown(footprint));
 */
export async function measureFootprint(options: FootprintOptions = {}): Promise<Footprint> {
  const progress = options.onProgress ?? (() => undefined);
  const importRuns = options.importRuns ?? 5;
  const notes: string[] = [];
  const root =
    options.root ?? findRepositoryRoot([process.cwd(), fileURLToPath(new URL('.', import.meta.url))]);
  const all = root === undefined ? [] : publishedPackages(root);
  if (root === undefined) notes.push('Not run inside a tdhook checkout: its packages were not measured.');
  const wanted = all.filter((pkg) => options.packages === undefined || options.packages.includes(pkg.name));
  for (const name of options.packages ?? []) {
    if (!all.some((pkg) => pkg.name === name))
      notes.push(`${name}: not a published package of this checkout.`);
  }

  const scratch = mkdtempSync(join(tmpdir(), 'tdhook-footprint-'));
  try {
    const tarballs = join(scratch, 'tarballs');
    mkdirSync(tarballs);
    // Workspace dependencies (e.g. @tdhook/tfjs-internals under core) are packed and installed beside the
    // measured packages, since the registry has none of them; only the measured ones are reported.
    const everyPacked: { pkg: WorkspacePackage; tarball: string }[] = [];
    for (const pkg of withWorkspaceDependencies(wanted, all)) {
      progress(`footprint: packing ${pkg.name}`);
      try {
        everyPacked.push({ pkg, tarball: await pnpmPack(pkg.dir, tarballs) });
      } catch (error) {
        notes.push(`${pkg.name}: pnpm pack failed: ${commandError(error)}`);
      }
    }
    const packed = everyPacked.filter(({ pkg }) => wanted.includes(pkg));

    // tfjs-core beside them (peers are not followed, so no package's own size counts it) for the set with it.
    const peerName = '@tensorflow/tfjs-core';
    const tfjsVersion = options.tfjsVersion ?? version_core;
    let peer: string | undefined;
    if (options.references !== false && packed.length > 0) {
      progress(`footprint: fetching ${peerName}@${tfjsVersion} from the npm registry`);
      try {
        peer = await npmPack(`${peerName}@${tfjsVersion}`, tarballs);
      } catch (error) {
        notes.push(
          `${peerName}@${tfjsVersion} could not be fetched, so no install set with it: ${commandError(error)}`,
        );
      }
    }

    const project = join(scratch, 'project');
    let installed = false;
    if (packed.length > 0) {
      progress(
        `footprint: npm install of ${String(everyPacked.length)} tarball(s)${peer === undefined ? '' : ' and tfjs-core'}`,
      );
      try {
        await npmInstall(project, [
          ...everyPacked.map(({ tarball }) => tarball),
          ...(peer === undefined ? [] : [peer]),
        ]);
        installed = true;
      } catch (error) {
        notes.push(
          `npm install of the tdhook tarballs failed, installed sizes not measured: ${commandError(error)}`,
        );
      }
    }

    progress(`footprint: cold imports, ${String(importRuns)} spawns each`);
    const imports = measureImportTimes(
      packed.map(({ pkg }) => pkg),
      importRuns,
    );
    for (const [name, error] of imports.errors) notes.push(`${name}: import failed (is it built?): ${error}`);

    const packages: PackageFootprint[] = packed.map(({ pkg, tarball }) => {
      const contents = tarballContents(readFileSync(tarball));
      const closure = installed ? installedClosure(project, [pkg.name]) : undefined;
      if (closure !== undefined && closure.missing.length > 0) {
        notes.push(`${pkg.name}: dependencies missing after the install: ${closure.missing.join(', ')}`);
      }
      const importMs = imports.times.get(pkg.name);
      return {
        name: pkg.name,
        version: pkg.version,
        packedBytes: statSync(tarball).size,
        unpackedBytes: contents.bytes,
        files: contents.files,
        ...(closure === undefined ? {} : { installedBytes: closure.bytes, installed: closure.installed }),
        ...(importMs === undefined ? {} : { importMs }),
      };
    });
    const sets: InstallSetFootprint[] = installed
      ? installSets(
          packed.map(({ pkg }) => pkg),
          all,
          peer === undefined ? undefined : peerName,
        ).map((set) => {
          const closure = installedClosure(project, set.packages);
          return { ...set, installedBytes: closure.bytes, installed: closure.installed };
        })
      : [];

    const references =
      options.references === false
        ? []
        : await measureReferences(tfjsVersion, join(scratch, 'references'), progress);
    return {
      date: new Date().toISOString(),
      node: process.version,
      npm: await npmVersion(),
      importRuns,
      emptyNodeMs: imports.emptyMs,
      packages,
      sets,
      references,
      notes,
    };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
