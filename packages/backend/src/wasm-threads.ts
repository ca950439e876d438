import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CpuInfo } from 'node:os';
import type { Worker as NodeWorker, WorkerOptions } from 'node:worker_threads';

import type * as WasmBackend from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { activeBackendName, backendRegistration, initialisedBackend } from '@tdhook/tfjs-internals';

import { BackendUnavailableError } from './backend-unavailable-error.js';

// Everything below relies on internals of @tensorflow/tfjs-backend-wasm 4.22.0 (its Node build,
// dist/tf-backend-wasm.node.js, and the Emscripten output in wasm-out/). Re-check it on any upgrade.
const WASM_PACKAGE = '@tensorflow/tfjs-backend-wasm';
const WORKER_MODULE = `${WASM_PACKAGE}/wasm-out/tfjs-backend-wasm-threaded-simd.worker.js`;
const MAIN_SCRIPT = `${WASM_PACKAGE}/wasm-out/tfjs-backend-wasm-threaded-simd.js`;
/** tfjs-backend-wasm's initial `threadsCount`: let it choose. */
const DEFAULT_THREADS_COUNT = -1;
const THREADS_FLAG = 'WASM_HAS_MULTITHREAD_SUPPORT';
const SIMD_FLAG = 'WASM_HAS_SIMD_SUPPORT';
/** Emscripten pre-spawns this many pthread workers (`pthreadPoolSize = 8`); more would be spawned while the
 * main thread blocks, which cannot work in Node, so the thread count is capped here. */
const MAX_THREADS = 8;
/** How long the threaded module (8 workers, each compiling the .wasm) may take to start. */
const INIT_TIMEOUT_MS = 60_000;
/** In the pthread worker, how the main script (a Blob in the browser) is loaded; replaced by a file path. */
const WORKER_IMPORT =
  'if(typeof e.data.urlOrBlob=="string"){importScripts(e.data.urlOrBlob)}else{var objectUrl=URL.createObjectURL(e.data.urlOrBlob);importScripts(objectUrl);URL.revokeObjectURL(objectUrl)}';

type WasmModule = typeof WasmBackend;
type BackendFactory = () => tf.KernelBackend | Promise<tf.KernelBackend>;
interface WorkerThreadsModule {
  Worker: typeof NodeWorker;
}
interface OsModule {
  cpus: () => CpuInfo[];
}

interface ActiveThreads {
  readonly threads: number;
  readonly wasm: WasmModule;
  readonly tempDir: string;
  readonly factory: BackendFactory;
  readonly priority: number;
  readonly restoreGlobalWorker: () => void;
}

let active: ActiveThreads | undefined;
let starting: Promise<{ threads: number }> | undefined;

/**
 * Starts the wasm backend **multi-threaded in Node** and makes it the active backend. Upstream TF.js does not
 * support this (tensorflow/tfjs#3830), so this is an experimental, opt-in hack:
 *
 * - the threaded-SIMD build's pthread worker (a `blob:` URL, which Node's `Worker` rejects) is written to a
 *   temporary file, `worker_threads.Worker` is patched during start-up so `blob:` URLs map to it, and the
 *   `WASM_HAS_MULTITHREAD_SUPPORT` flag is forced for the start-up only;
 * - tfjs caps the pool at `min(threads, cpus / 2)`, so `os.cpus()` reports a doubled count during start-up.
 *
 * Caveats:
 * - **Experimental**: it relies on strings and internals of `@tensorflow/tfjs-backend-wasm` **4.22.0**; any
 *   other version may break it (it then throws instead of starting half-way).
 * - It only pays off for **large** kernels (on an idle 2-core box, matMul 1024² went from ~72 to ~35–45 ms
 *   with 2 threads) on an **idle** machine; small ops see no gain, and under CPU contention it is **slower** (an MLP gradient went
 *   from 5.8 to 17 ms).
 * - The pthread workers keep the **process alive**: call {@link stopWasmThreads} when done, or it never exits.
 * - It must run before any tensor lives on the wasm backend: an initialised wasm backend without tensors is
 *   replaced; one holding tensors makes it throw.
 * - `globalThis.Worker` is left set to the patched class while the backend runs (Emscripten sets it);
 *   {@link stopWasmThreads} restores it.
 *
 * @param options.threads - the XNNPACK pool size, 1 to 8, the calling thread included; defaults to the
 *   number of CPUs (at most 8).
 * @returns the thread count the backend actually uses (`getThreadsCount()` of tfjs-backend-wasm).
 * @throws {@link BackendUnavailableError} if a step fails; the patches are undone, and a single-threaded wasm
 *   backend that was active before is made active again.
 *
 * @example
 * const { threads } = await startWasmWithThreads({ threads: 2 });
 * try {
 *   const y = tf.matMul(tf.randomNormal([1024, 1024]), tf.randomNormal([1024, 1024]));
 * } finally {
 *   await stopWasmThreads(); // lets the process exit
 * }
 */
export async function startWasmWithThreads(options: { threads?: number } = {}): Promise<{ threads: number }> {
  const { threads } = options;
  if (threads !== undefined && (!Number.isInteger(threads) || threads < 1 || threads > MAX_THREADS)) {
    throw new BackendUnavailableError(
      'wasm',
      `startWasmWithThreads: threads must be an integer from 1 to ${MAX_THREADS}, got ${String(threads)}.`,
    );
  }
  // A concurrent call waits for the first one, then is answered like a later call.
  while (starting !== undefined) await starting.catch(() => undefined);
  if (active !== undefined) {
    if (threads === undefined || threads === active.threads) return { threads: active.threads };
    throw new BackendUnavailableError(
      'wasm',
      `The wasm backend already runs with ${active.threads} threads; call stopWasmThreads() before asking for ${threads}.`,
    );
  }
  starting = start(threads);
  try {
    return await starting;
  } finally {
    starting = undefined;
  }
}

/**
 * Removes the multi-threaded wasm backend started by {@link startWasmWithThreads}, which terminates its
 * pthread workers so the process can exit (about a second later), deletes the temporary worker file and
 * restores `globalThis.Worker`. The wasm backend is registered again, single-threaded, so a later
 * `tf.setBackend('wasm')` works; no backend is made active (TF.js picks one lazily, or call `initBackend`).
 * Tensors that lived on the threaded backend are gone. Does nothing if threads were not started.
 *
 * @example
 * await startWasmWithThreads();
 * // ... work ...
 * await stopWasmThreads();
 */
export async function stopWasmThreads(): Promise<void> {
  if (starting !== undefined) await starting.catch(() => undefined);
  const state = active;
  if (state === undefined) return;
  active = undefined;
  try {
    if (backendRegistration('wasm') !== undefined) tf.removeBackend('wasm'); // disposes it: terminates the pthread workers
    tf.registerBackend('wasm', state.factory, state.priority);
  } finally {
    state.restoreGlobalWorker();
    state.wasm.setThreadsCount(DEFAULT_THREADS_COUNT);
    rmSync(state.tempDir, { recursive: true, force: true });
  }
}

async function start(requested: number | undefined): Promise<{ threads: number }> {
  const undo: Array<() => unknown> = [];
  const rollback = async (): Promise<void> => {
    for (const step of undo.reverse()) {
      try {
        await step();
      } catch {
        // Best effort: keep undoing the other steps.
      }
    }
  };
  let step = 'checking the environment';
  try {
    if (typeof SharedArrayBuffer !== 'function') throw new Error('SharedArrayBuffer is not available');
    const require = createRequire(moduleUrl());
    const os = require('node:os') as OsModule;
    const realCpus = os.cpus();
    const threads = requested ?? Math.max(1, Math.min(realCpus.length, MAX_THREADS));

    step = `loading ${WASM_PACKAGE}`;
    const wasm: WasmModule = await import('@tensorflow/tfjs-backend-wasm');
    const registered = backendRegistration('wasm');
    if (registered === undefined) throw new Error('the wasm backend is not registered (was it removed?)');
    const { factory, priority } = registered;
    if (!(await tf.env().getAsync(SIMD_FLAG))) throw new Error('WebAssembly SIMD is not supported here');

    step = 'reading the pthread worker of the threaded-SIMD build';
    const { wasmWorkerContents } = require(WORKER_MODULE) as { wasmWorkerContents?: unknown };
    if (typeof wasmWorkerContents !== 'string' || !wasmWorkerContents.includes(WORKER_IMPORT)) {
      throw new Error(`${WORKER_MODULE} is not the one of ${WASM_PACKAGE} 4.22.0 (pinned)`);
    }
    const mainScript = require.resolve(MAIN_SCRIPT);
    // Escaped as tfjs does before making it a Blob; the main script is loaded from its file, not a Blob.
    const workerSource = wasmWorkerContents
      .replace(/\n/g, '\\n')
      .replace(WORKER_IMPORT, `importScripts(${JSON.stringify(mainScript)});`);

    step = 'replacing an initialised wasm backend';
    const previous = initialisedBackend('wasm');
    const wasActive = activeBackendName() === 'wasm';
    if (previous !== undefined) {
      if (previous.numDataIds() > 0) {
        throw new Error(
          `the wasm backend is already initialised and holds ${previous.numDataIds()} tensors; start threads before creating tensors`,
        );
      }
      tf.removeBackend('wasm');
      tf.registerBackend('wasm', factory, priority);
      if (wasActive) undo.push(() => tf.setBackend('wasm'));
    }

    step = 'writing the pthread worker to a temporary file';
    const tempDir = mkdtempSync(join(tmpdir(), 'tdhook-wasm-threads-'));
    undo.push(() => {
      rmSync(tempDir, { recursive: true, force: true });
    });
    const workerFile = join(tempDir, 'tfjs-backend-wasm-threaded-simd.worker.cjs');
    writeFileSync(workerFile, workerSource);

    step = 'patching worker_threads.Worker, os.cpus() and the threads flag';
    const workerThreads = require('node:worker_threads') as WorkerThreadsModule;
    const OriginalWorker = workerThreads.Worker;
    class BlobFileWorker extends OriginalWorker {
      constructor(filename: string | URL, options?: WorkerOptions) {
        const name = String(filename);
        const isBlob = name.startsWith('blob:');
        super(isBlob ? workerFile : filename, options);
        if (isBlob) URL.revokeObjectURL(name);
      }
    }
    const globalWorker = Object.getOwnPropertyDescriptor(globalThis, 'Worker');
    const restoreGlobalWorker = (): void => {
      if (globalWorker === undefined) Reflect.deleteProperty(globalThis, 'Worker');
      else Object.defineProperty(globalThis, 'Worker', globalWorker);
    };
    undo.push(restoreGlobalWorker); // Emscripten sets globalThis.Worker = worker_threads.Worker.
    workerThreads.Worker = BlobFileWorker;
    undo.push(() => (workerThreads.Worker = OriginalWorker));
    const originalCpus = os.cpus;
    os.cpus = (): CpuInfo[] => doubledCpus(originalCpus(), threads);
    undo.push(() => (os.cpus = originalCpus));
    if (workerThreads.Worker !== BlobFileWorker || os.cpus === originalCpus) {
      throw new Error('worker_threads.Worker or os.cpus cannot be replaced');
    }
    const flagBefore = await tf.env().getAsync(THREADS_FLAG);
    tf.env().set(THREADS_FLAG, true);
    undo.push(() => {
      tf.env().set(THREADS_FLAG, flagBefore);
    });
    wasm.setThreadsCount(threads);
    undo.push(() => {
      wasm.setThreadsCount(DEFAULT_THREADS_COUNT);
    });

    step = 'initialising the threaded wasm backend';
    // If it fails half-way, dispose what started (its workers) and register the factory again.
    undo.push(() => {
      if (backendRegistration('wasm') !== undefined) tf.removeBackend('wasm');
      tf.registerBackend('wasm', factory, priority);
    });
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        reject(new Error(`timed out after ${INIT_TIMEOUT_MS / 1000} s`));
      }, INIT_TIMEOUT_MS);
    });
    let ok: boolean;
    try {
      ok = await Promise.race([tf.setBackend('wasm'), timeout]);
    } finally {
      clearTimeout(timer);
    }
    if (!ok) throw new Error('tf.setBackend("wasm") failed (see the warning TF.js logged above)');

    step = 'checking the thread count';
    const actual = wasm.getThreadsCount();
    if (threads > 1 && actual < 2) throw new Error(`the backend runs ${actual} thread(s), not ${threads}`);

    // Started: undo the start-up-only patches. The workers already exist; Emscripten spawns any later one
    // through globalThis.Worker, which it set to BlobFileWorker, so the temporary file stays until stop.
    workerThreads.Worker = OriginalWorker;
    os.cpus = originalCpus;
    tf.env().set(THREADS_FLAG, flagBefore); // a later re-initialisation without these patches stays single-threaded
    active = { threads: actual, wasm, tempDir, factory, priority, restoreGlobalWorker };
    return { threads: actual };
  } catch (error) {
    await rollback();
    throw new BackendUnavailableError(
      'wasm',
      `Multi-threaded wasm (experimental) failed while ${step}: ${error instanceof Error ? error.message : String(error)}. ` +
        `It relies on internals of ${WASM_PACKAGE} 4.22.0; use the single-threaded wasm backend instead.`,
      { cause: error },
    );
  }
}

/** At least `2 * threads` CPUs (tfjs uses `min(threads, cpus / 2)`), copied from the real ones. */
function doubledCpus(real: CpuInfo[], threads: number): CpuInfo[] {
  const count = Math.max(real.length, 2 * threads);
  const fallback: CpuInfo = {
    model: 'unknown',
    speed: 0,
    times: { user: 0, nice: 0, sys: 0, idle: 0, irq: 0 },
  };
  return Array.from({ length: count }, (_, i) => real[i % Math.max(real.length, 1)] ?? fallback);
}

/** This module's location, for `createRequire`, in the ESM and the CJS build alike. */
function moduleUrl(): string {
  return typeof __filename === 'string' ? __filename : import.meta.url;
}
