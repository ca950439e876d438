// The self-check of @tdhook/tfjs-internals: each group of assumptions is checked right before its first use
// (or all at once by checkTfjsInternals(), which initBackend() of @tdhook/backend calls at start-up) and the
// result is cached, so importing this package does nothing and later calls pay one Set lookup. A failed
// check is not cached: it throws a TfjsInternalsError naming the installed tfjs-core every time.
//
// Re-entry: of the checks, only `recording` and the fused steps run code that is not this package's (the
// active backend's kernels, which may be patches), and only inside a kernel. Engine and registries are proven
// before either starts. A kernel that calls back into this package for the group being checked gets:
// - for `recording`: E_TFJS_REENTERED, since it would rely on the tape before the tape is proven;
// - for a fused step: "not checked", so its caller skips nothing and runs the stock backward step, which is
//   right on any tfjs-core (the skips only save work). Inside a kernel the check could not run anyway.
import * as tf from '@tensorflow/tfjs-core';

import { checkEngine } from './checks/engine-checks.js';
import { checkFusedStep, checkRecording, fusedSteps } from './checks/gradient-step-checks.js';
import { checkRegistries } from './checks/registry-checks.js';
import { TfjsInternalsError } from './errors.js';

/** Assumptions checked once per process: engine members, registries, recording on the tape. */
export type InternalsPart = 'engine' | 'registries' | 'recording';

const passed = new Set<string>();
const running = new Set<string>();

/** Runs `check` for `key`, marked as running meanwhile; remembers a pass. False: could not check here. */
function runCheck(key: string, check: () => boolean): boolean {
  running.add(key);
  try {
    const holds = check();
    if (holds) passed.add(key);
    return holds;
  } finally {
    running.delete(key);
  }
}

const checks: Record<InternalsPart, () => boolean> = {
  engine: checkEngine,
  registries: checkRegistries,
  recording: checkRecording,
};

/**
 * Makes sure the assumptions of `part` hold before they are relied on; throws a TfjsInternalsError if not,
 * or if called from inside that part's own check. `recording` cannot be checked inside a kernel, where
 * nothing records: the call then returns unchecked (nothing it guards happens there) and checks next time.
 */
export function requireInternals(part: InternalsPart): void {
  if (passed.has(part)) return;
  if (running.has(part)) {
    throw new TfjsInternalsError({
      code: 'E_TFJS_REENTERED',
      what: `A kernel or gradient run by the self-check of the ${part} assumptions called tdhook, which relies on them before they are proven`,
      where: `tfjs-internals self-check, ${part}`,
      fix: 'Run checkTfjsInternals() (or initBackend()) before installing that kernel or gradient patch, or do not call tdhook from inside a kernel.',
    });
  }
  if (part === 'recording') {
    requireInternals('engine');
    requireInternals('registries');
  }
  runCheck(part, checks[part]);
}

/**
 * Whether the backward step of the fused ops recorded as `kernelName` computes its parameter gradients as
 * the skips assume, on the active backend: checked before the first skip, and throws a TfjsInternalsError
 * if it does not. False when it could not be checked (inside a kernel, on a backend that lacks a kernel the
 * step needs, or from inside this very check): the caller must then not skip anything.
 */
export function requireFusedStep(kernelName: string): boolean {
  const key = `${tf.getBackend()}/${kernelName}`;
  if (passed.has(key)) return true;
  if (running.has(key)) return false;
  requireInternals('recording');
  if (!passed.has('recording')) return false;
  return runCheck(key, () => checkFusedStep(kernelName));
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
