// Start-up self-check, run lazily: each group of assumptions is checked right before its first use and the
// result is cached, so importing this package does nothing and later calls pay one Set lookup. A failed
// check is not cached: it throws a TfjsInternalsError naming the installed tfjs-core every time.
import * as tf from '@tensorflow/tfjs-core';

import { checkEngine } from './checks/engine-checks.js';
import { checkFusedStep, checkRecording, fusedSteps } from './checks/gradient-step-checks.js';
import { checkRegistries } from './checks/registry-checks.js';

/** Assumptions checked once per process: engine members, registries, recording on the tape. */
export type InternalsPart = 'engine' | 'registries' | 'recording';

const passed = new Set<string>();
const running = new Set<string>();

function once(key: string, check: () => boolean): void {
  if (passed.has(key) || running.has(key)) return;
  running.add(key);
  try {
    if (check()) passed.add(key);
  } finally {
    running.delete(key);
  }
}

const checks: Record<InternalsPart, () => boolean> = {
  engine: checkEngine,
  registries: checkRegistries,
  recording: checkRecording,
};

/** Makes sure the assumptions of `part` hold before they are relied on; throws a TfjsInternalsError if not. */
export function requireInternals(part: InternalsPart): void {
  if (passed.has(part)) return;
  if (part === 'recording') {
    requireInternals('engine');
    requireInternals('registries');
  }
  once(part, checks[part]);
}

/**
 * Makes sure the backward step of the fused ops recorded as `kernelName` computes its parameter gradients as
 * the skips assume, on the active backend, before the first skip.
 */
export function requireFusedStep(kernelName: string): void {
  const key = `${tf.getBackend()}/${kernelName}`;
  if (passed.has(key)) return;
  requireInternals('recording');
  once(key, () => checkFusedStep(kernelName));
}

/**
 * What {@link checkTfjsInternals} verified.
 *
 * @example
 * const { tfjsCoreVersion, checked }: TfjsInternalsReport = checkTfjsInternals();
 */
export interface TfjsInternalsReport {
  /** `tf.version_core`. */
  readonly tfjsCoreVersion: string;
  /** The active backend the behavioural checks ran on. */
  readonly backend: string;
  /**
   * The groups of assumptions that hold: `engine`, `registries`, `recording`, and `<backend>/<fused op>` for
   * the fused ops whose parameter gradients are skipped (those the backend has every kernel for).
   */
  readonly checked: readonly string[];
}

/**
 * Checks now, instead of at first use, every assumption this package makes about the installed tfjs-core:
 * the engine's tape members, the kernel and gradient registries, how kernels are recorded, and the order in
 * which the fused dense and convolution ops compute their gradients (on the active backend). Each check runs
 * once per process; later calls return at once. Needs a backend (TF.js starts its default one if none is set).
 *
 * @throws {@link TfjsInternalsError} with code `E_TFJS_INTERNALS`, naming the installed tfjs-core, when an
 *   assumption does not hold.
 *
 * @example
 * await tf.setBackend('wasm');
 * checkTfjsInternals(); // { tfjsCoreVersion: '4.22.0', backend: 'wasm', checked: ['engine', …] }
 */
export function checkTfjsInternals(): TfjsInternalsReport {
  const backend = tf.getBackend();
  requireInternals('recording');
  for (const kernelName of Object.keys(fusedSteps)) requireFusedStep(kernelName);
  const checked = [...passed].filter((key) => !key.includes('/') || key.startsWith(`${backend}/`));
  return { tfjsCoreVersion: tf.version_core, backend, checked };
}

/** Forgets what the self-check proved (for tests that break an assumption on purpose). */
export function forgetTfjsInternalsChecks(): void {
  passed.clear();
}
