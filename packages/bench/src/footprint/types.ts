/**
 * One published `@tdhook/*` package: its tarball, its install, its import time.
 *
 * @example
 * const core: PackageFootprint = footprint.packages[0];
 * console.log(`${core.name}: ${core.packedBytes} B packed, imports in ${core.importMs} ms`);
 */
export interface PackageFootprint {
  readonly name: string;
  readonly version: string;
  /** Bytes of the tarball `pnpm pack` makes (what the registry serves). */
  readonly packedBytes: number;
  /** Sum of the file sizes in the tarball, and how many files. */
  readonly unpackedBytes: number;
  readonly files: number;
  /**
   * Bytes of the files on disk after `npm install` of the tarball: the package and its dependencies,
   * transitively; peers (`@tensorflow/tfjs-core`, other `@tdhook` packages it peers on) not counted.
   * Absent when the install failed (see {@link Footprint.notes}).
   */
  readonly installedBytes?: number;
  /** The packages counted in `installedBytes`, as `name@version`. */
  readonly installed?: readonly string[];
  /** Cold import in a fresh Node process, ms above an empty one (median of {@link Footprint.importRuns}). */
  readonly importMs?: number;
}

/**
 * A typical install: several packages side by side, each dependency counted once.
 *
 * @example
 * const set: InstallSetFootprint = { name: 'core + attribution + backend', packages: [...], installedBytes: 9e6, installed: [...] };
 */
export interface InstallSetFootprint {
  readonly name: string;
  readonly packages: readonly string[];
  /** As {@link PackageFootprint.installedBytes}, over the union of the packages' dependencies. */
  readonly installedBytes: number;
  readonly installed: readonly string[];
}

/**
 * A TF.js package from the npm registry, measured the same way for comparison.
 *
 * @example
 * const node: ReferenceFootprint = footprint.references.find((r) => r.name === '@tensorflow/tfjs-node');
 */
export interface ReferenceFootprint {
  readonly name: string;
  readonly version: string;
  /** Bytes of its own tarball from the registry. */
  readonly packedBytes?: number;
  /** Bytes on disk of it and its dependencies, transitively, after `npm install` (peers not counted). */
  readonly installedBytes?: number;
  readonly installed?: readonly string[];
  /** What is and is not counted (tfjs-node: its libtensorflow download is not). */
  readonly note?: string;
  /** Why it was not measured (no network, say). */
  readonly error?: string;
}

/**
 * Disk footprint and import time of tdhook's packages, next to the TF.js packages a user would otherwise
 * install.
 *
 * @example
 * const footprint: Footprint = await measureFootprint();
 * console.log(formatFootprintMarkdown(footprint));
 */
export interface Footprint {
  readonly date: string;
  readonly node: string;
  readonly npm: string;
  /** Spawns per package behind each import time (and behind the empty process subtracted from it). */
  readonly importRuns: number;
  /** Median time of an empty `node --input-type=module -e ""`, subtracted from the import times. */
  readonly emptyNodeMs: number;
  readonly packages: readonly PackageFootprint[];
  readonly sets: readonly InstallSetFootprint[];
  readonly references: readonly ReferenceFootprint[];
  /** What went wrong on the way (an install without network, a package that did not import). */
  readonly notes: readonly string[];
}
