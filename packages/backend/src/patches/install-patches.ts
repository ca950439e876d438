import * as tf from '@tensorflow/tfjs-core';

import type { KernelPatch, PatchableBackend } from './kernel-patch.js';
import { onStockCpu } from './on-cpu.js';

/**
 * What happened to one patch.
 *
 * @example
 * const rejected = reports.filter((report: PatchReport) => report.status === 'failed-self-test');
 */
export interface PatchReport {
  readonly id: string;
  readonly kind: KernelPatch['kind'];
  readonly status: 'installed' | 'disabled' | 'failed-self-test' | 'failed-to-install' | 'already-installed';
  /** Largest absolute difference from the reference in the self-test, when one ran. */
  readonly selfTestError?: number;
  readonly selfTestMs?: number;
  readonly detail?: string;
}

/**
 * Options of {@link installPatches}.
 *
 * @example
 * const options: InstallPatchesOptions = { disable: ['wasm/MaxPoolGrad'], selfTest: true };
 */
export interface InstallPatchesOptions {
  /** Patch ids not to install, e.g. `['wasm/BatchMatMul']`. */
  readonly disable?: readonly string[];
  /** Run each patch's self-test right after installing it (default true); a failing patch is taken out. */
  readonly selfTest?: boolean;
}

interface InstalledPatches {
  readonly undo: Map<string, () => void>;
}

// Shared through a registry-wide symbol: two copies of this package must not install the same patch twice.
const installedKey = Symbol.for('tdhook.backend.installed-patches');

function installed(): InstalledPatches {
  const holder = globalThis as unknown as Record<symbol, InstalledPatches | undefined>;
  holder[installedKey] ??= { undo: new Map() };
  return holder[installedKey];
}

const read = (result: tf.Tensor | tf.Tensor[]): number[][] =>
  (Array.isArray(result) ? result : [result]).map((tensor) => Array.from(tensor.dataSync()));

function referenceOnCpu(run: () => tf.Tensor | tf.Tensor[]): Promise<number[][]> {
  return onStockCpu(() => {
    const result = tf.tidy(run);
    const values = read(result);
    tf.dispose(result);
    return values;
  });
}

function largestDifference(
  actual: readonly (readonly number[])[],
  expected: readonly (readonly number[])[],
): number {
  if (actual.length !== expected.length) return Infinity;
  let largest = 0;
  actual.forEach((values, index) => {
    const reference = expected[index] ?? [];
    if (values.length !== reference.length) largest = Infinity;
    values.forEach((value, position) => {
      const difference = Math.abs(value - (reference[position] ?? NaN));
      largest = Number.isNaN(difference) ? Infinity : Math.max(largest, difference);
    });
  });
  return largest;
}

async function selfTest(patch: KernelPatch): Promise<{ error: number; ms: number } | undefined> {
  const test = patch.selfTest;
  if (test === undefined) return undefined;
  const started = performance.now();
  const result = tf.tidy(test.run);
  const actual = read(result);
  tf.dispose(result);
  const expected = test.expected ?? (await referenceOnCpu(test.run));
  return { error: largestDifference(actual, expected), ms: performance.now() - started };
}

/**
 * Installs the patches that apply to `backend` (the active TF.js backend), each followed by its self-test
 * against the stock cpu backend or known values; a patch that fails its self-test is taken out again and
 * reported, never used. Patches already installed (by an earlier call, or another copy of this package) are
 * left as they are.
 *
 * @example
 * const reports = await installPatches('wasm', defaultPatches, { disable: ['wasm/BatchMatMul'] });
 */
export async function installPatches(
  backend: PatchableBackend,
  patches: readonly KernelPatch[],
  options: InstallPatchesOptions = {},
): Promise<PatchReport[]> {
  const registry = installed();
  const reports: PatchReport[] = [];
  for (const patch of patches) {
    if (!patch.backends.includes(backend)) continue;
    const base = { id: patch.id, kind: patch.kind };
    if (options.disable?.includes(patch.id) === true) {
      reports.push({ ...base, status: 'disabled' });
      continue;
    }
    // Gradients are registered for every backend at once; kernels per backend.
    const key = patch.kind === 'gradient' ? patch.id : `${backend}:${patch.id}`;
    if (registry.undo.has(key)) {
      reports.push({ ...base, status: 'already-installed' });
      continue;
    }
    let undo: () => void;
    try {
      undo = patch.install(backend);
    } catch (error) {
      reports.push({
        ...base,
        status: 'failed-to-install',
        detail: error instanceof Error ? error.message : String(error),
      });
      continue;
    }
    if (options.selfTest === false) {
      registry.undo.set(key, undo);
      reports.push({ ...base, status: 'installed' });
      continue;
    }
    let outcome: { error: number; ms: number } | undefined;
    try {
      outcome = await selfTest(patch);
    } catch (error) {
      undo();
      reports.push({
        ...base,
        status: 'failed-self-test',
        detail: error instanceof Error ? error.message : String(error),
      });
      continue;
    }
    const tolerance = patch.selfTest?.tolerance ?? 1e-4;
    if (outcome !== undefined && !(outcome.error <= tolerance)) {
      undo();
      reports.push({
        ...base,
        status: 'failed-self-test',
        selfTestError: outcome.error,
        selfTestMs: outcome.ms,
        detail: `differs from the reference by ${String(outcome.error)} > ${String(tolerance)}`,
      });
      continue;
    }
    registry.undo.set(key, undo);
    reports.push({
      ...base,
      status: 'installed',
      ...(outcome === undefined ? {} : { selfTestError: outcome.error, selfTestMs: outcome.ms }),
    });
  }
  return reports;
}

/**
 * Takes every installed patch out again (last installed first), restoring the stock kernels and gradients.
 *
 * @example
 * restorePatches(); // stock TF.js again, e.g. to benchmark it
 */
export function restorePatches(): number {
  const registry = installed();
  const undos = [...registry.undo.values()].reverse();
  registry.undo.clear();
  for (const undo of undos) undo();
  return undos.length;
}

/**
 * Ids of the patches installed now.
 *
 * @example
 * installedPatchIds(); // ['wasm:wasm/Conv2DBackpropFilter', 'all/comparison-gradients', …]
 */
export function installedPatchIds(): string[] {
  return [...installed().undo.keys()];
}
