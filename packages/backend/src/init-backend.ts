import * as tf from '@tensorflow/tfjs-core';
import { checkTfjsInternals, type TfjsInternalsReport } from '@tdhook/tfjs-internals';

import { checkBackendName, loadBackend, type BackendName } from './backend-loaders.js';
import { BackendUnavailableError } from './backend-unavailable-error.js';
import { getThreadsCount as getWasmThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { registerTfjsGradients } from './gradients/register-tfjs-gradients.js';
import { defaultPatches } from './patches/default-patches.js';
import { installPatches, type PatchReport } from './patches/install-patches.js';
import { startWasmWithThreads } from './wasm-threads.js';

/**
 * Options of {@link initBackend}.
 *
 * @example
 * const options: InitBackendOptions = { backend: 'wasm', patches: { disable: ['wasm/BatchMatMul'] } };
 */
export interface InitBackendOptions {
  /**
   * The backend to use, or `'auto'` (the default): the fastest available of tensorflow-gpu, tensorflow, wasm,
   * cpu. Without this option, the `TDHOOK_BACKEND` environment variable can name one.
   */
  readonly backend?: BackendName | 'auto';
  /** The kernel patches: `true` (default) installs all that apply, `false` none, `{ disable }` all but some. */
  readonly patches?: boolean | { readonly disable?: readonly string[] };
  /** Self-test every patch at start-up against the stock cpu backend (default true; milliseconds). */
  readonly selfTest?: boolean;
  /**
   * Experimental, off by default: run the wasm backend on this many threads (Node only; see
   * {@link startWasmWithThreads} for the caveats: it helps large matmuls on an idle machine, and is slower
   * under load). Requires `backend: 'wasm'`; call {@link stopWasmThreads} before the process should exit.
   */
  readonly wasmThreads?: number;
}

/**
 * What {@link initBackend} chose and did.
 *
 * @example
 * const { backend, patches }: BackendReport = await initBackend();
 */
export interface BackendReport {
  /** The active TF.js backend (`tf.getBackend()`): 'tensorflow', 'wasm', 'cpu' or 'webgpu'. */
  readonly backend: string;
  readonly requested: BackendName | 'auto';
  /** Why faster backends were passed over, or that the choice was forced, in words. */
  readonly reasons: readonly string[];
  /** The faster backends passed over, as data: `notInstalled` names the missing package when that is why. */
  readonly skipped: readonly SkippedBackend[];
  readonly gradients: 'registered' | 'already-registered';
  readonly patches: readonly PatchReport[];
  /**
   * What the self-check of `@tdhook/tfjs-internals` proved about the installed tfjs-core on this backend,
   * with the patches in place (`checkTfjsInternals()`): the groups of assumptions in `checked`.
   */
  readonly internals: TfjsInternalsReport;
}

/**
 * A backend {@link initBackend} tried and passed over.
 *
 * @example
 * const skip: SkippedBackend = { backend: 'tensorflow', notInstalled: '@tensorflow/tfjs-node', message: '…' };
 */
export interface SkippedBackend {
  readonly backend: BackendName;
  /** The package that is not installed, when that is why; absent when it is installed but failed to start. */
  readonly notInstalled?: string;
  /** The loader's message (it may hold the machine's paths). */
  readonly message: string;
}

const autoOrder: readonly BackendName[] = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'];

function requestedBackend(options: InitBackendOptions, reasons: string[]): BackendName | 'auto' {
  if (options.backend !== undefined) {
    return checkBackendName(options.backend, (shown) => `initBackend({ backend: ${shown} })`, true);
  }
  const fromEnvironment = process.env.TDHOOK_BACKEND?.trim().toLowerCase();
  if (fromEnvironment === undefined || fromEnvironment === '' || fromEnvironment === 'auto') return 'auto';
  const name = checkBackendName(fromEnvironment, () => `TDHOOK_BACKEND=${fromEnvironment}`, true);
  reasons.push(`forced by TDHOOK_BACKEND=${fromEnvironment}`);
  return name;
}

/**
 * Picks and starts the TF.js backend, registers tfjs-core's gradients, installs the kernel patches that
 * make gradients correct and fast on wasm and cpu (each self-tested at start-up), and then checks what
 * tdhook relies on in tfjs-core's internals, on this backend with the patches in place. Call it once,
 * before building models.
 *
 * @throws {@link BackendUnavailableError} when the backend cannot be started.
 * @throws `TfjsInternalsError` (from `@tdhook/tfjs-internals`, code `E_TFJS_INTERNALS`) when the installed
 *   tfjs-core does not work as tdhook relies on; it names the installed version.
 *
 * @example
 * import { initBackend, formatBackendReport } from '@tdhook/backend';
 * const report = await initBackend();          // here: wasm, patched
 * console.log(formatBackendReport(report));
 * await initBackend({ backend: 'cpu', patches: { disable: ['cpu/UnsortedSegmentSum'] } });
 */
export async function initBackend(options: InitBackendOptions = {}): Promise<BackendReport> {
  const reasons: string[] = [];
  const skipped: SkippedBackend[] = [];
  const requested = requestedBackend(options, reasons);
  if (requested === 'auto') {
    let started = false;
    for (const name of autoOrder) {
      try {
        await loadBackend(name);
        started = true;
        break;
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        reasons.push(`not ${name}: ${(message.split(': ')[1] ?? message).split('. ')[0] ?? ''}`);
        const notInstalled = error instanceof BackendUnavailableError ? error.notInstalled : undefined;
        skipped.push({ backend: name, message, ...(notInstalled === undefined ? {} : { notInstalled }) });
      }
    }
    if (!started)
      throw new BackendUnavailableError('auto', `No TF.js backend could be started: ${reasons.join('; ')}`);
  } else if (options.wasmThreads !== undefined) {
    if (requested !== 'wasm') {
      throw new BackendUnavailableError(requested, `wasmThreads needs backend 'wasm', not '${requested}'.`);
    }
    await loadBackend('cpu'); // the patches' reference
    await startWasmWithThreads({ threads: options.wasmThreads });
    reasons.push(`wasm on ${String(getWasmThreadsCount())} threads (experimental)`);
  } else {
    await loadBackend(requested);
  }
  const gradients = await registerTfjsGradients();
  const backend = tf.getBackend();
  const patchOption = options.patches ?? true;
  const patches =
    patchOption !== false && (backend === 'wasm' || backend === 'cpu')
      ? await installPatches(backend, defaultPatches, {
          ...(typeof patchOption === 'object' && patchOption.disable !== undefined
            ? { disable: patchOption.disable }
            : {}),
          ...(options.selfTest === undefined ? {} : { selfTest: options.selfTest }),
        })
      : [];
  // At start-up rather than at first use (the checks stay lazy for those who never call initBackend).
  const internals = checkTfjsInternals();
  return { backend, requested, reasons, skipped, gradients, patches, internals };
}

/**
 * A few readable lines about a {@link BackendReport}.
 *
 * @example
 * console.log(formatBackendReport(await initBackend()));
 */
export function formatBackendReport(report: BackendReport): string {
  const installed = report.patches.filter(
    (patch) => patch.status === 'installed' || patch.status === 'already-installed',
  );
  const problems = report.patches.filter(
    (patch) => patch.status === 'failed-self-test' || patch.status === 'failed-to-install',
  );
  const lines = [
    `TF.js ${tf.version_core}, backend ${report.backend} (requested: ${report.requested}); gradients ${report.gradients}`,
    ...report.reasons.map((reason) => `  ${reason}`),
    `  patches: ${installed.length} installed${problems.length > 0 ? `, ${problems.length} rejected` : ''}, ${report.patches.filter((p) => p.status === 'disabled').length} disabled; self-tests ${report.patches.reduce((total, p) => total + (p.selfTestMs ?? 0), 0).toFixed(0)} ms`,
    ...problems.map((patch) => `  rejected ${patch.id}: ${patch.status} ${patch.detail ?? ''}`),
    `  tfjs-core internals checked: ${report.internals.checked.join(', ')}`,
  ];
  return lines.join('\n');
}
