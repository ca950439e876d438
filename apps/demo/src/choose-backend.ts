import * as tf from '@tensorflow/tfjs-core';

/** What {@link chooseBackend} picked, and why: forced by the environment, or which faster ones were missing. */
export interface BackendChoice {
  readonly name: string;
  readonly notes: readonly string[];
}

const nativePackages = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'] as const;

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
}

/**
 * Picks the fastest backend this machine has: tfjs-node-gpu, then tfjs-node (optional installs, loaded only
 * if present), then wasm, then cpu. `TDHOOK_BACKEND=cpu` (or any of those names) forces one.
 * A minimal stand-in until @tdhook/backend, which also patches the kernels, takes this over.
 */
export async function chooseBackend(requested = process.env.TDHOOK_BACKEND): Promise<BackendChoice> {
  const notes: string[] = [];
  const wanted = requested?.trim().toLowerCase() ?? '';
  const candidates =
    wanted === '' ? ['native', 'wasm', 'cpu'] : [wanted === 'tensorflow' ? 'native' : wanted];
  if (wanted !== '') notes.push(`forced by TDHOOK_BACKEND=${wanted}`);

  for (const candidate of candidates) {
    if (candidate === 'native') {
      for (const name of nativePackages) {
        try {
          // A variable specifier: these optional peers are resolved at run time only, never bundled.
          const specifier: string = name;
          await import(specifier); // registers and sets the 'tensorflow' backend on import
          return { name: `tensorflow (${name})`, notes };
        } catch (error) {
          notes.push(`not using ${name}: ${firstLine(error)}`);
        }
      }
      continue;
    }
    if (candidate === 'wasm') await import('@tensorflow/tfjs-backend-wasm');
    else if (candidate === 'cpu') await import('@tensorflow/tfjs-backend-cpu');
    else
      throw new Error(
        `TDHOOK_BACKEND=${candidate} is not a backend this demo knows: use wasm, cpu or tensorflow.`,
      );
    if (await tf.setBackend(candidate)) {
      await tf.ready();
      return { name: candidate, notes };
    }
    notes.push(`not using ${candidate}: it failed to initialise`);
  }
  throw new Error(`No TF.js backend could be initialised: ${notes.join('; ')}`);
}
