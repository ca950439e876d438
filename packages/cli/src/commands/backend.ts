import * as tf from '@tensorflow/tfjs-core';
import { backendNames, initBackend, type BackendName } from '@tdhook/backend';

import { UsageError } from '../usage-error.js';

/** Starts the backend the user asked for (`auto` by default); returns its name. */
export async function startBackend(requested: string | undefined): Promise<string> {
  const name = requested ?? 'auto';
  if (name !== 'auto' && !backendNames.includes(name as BackendName)) {
    throw new UsageError(`--backend must be auto or one of ${backendNames.join(', ')}, got '${name}'`);
  }
  // Production mode: no debug checks, and no "install tfjs-node" banner from the cpu backend on stderr.
  tf.enableProdMode();
  // Without --backend, initBackend reads TDHOOK_BACKEND, else picks the fastest installed backend.
  const report = await initBackend(requested === undefined ? {} : { backend: name as BackendName | 'auto' });
  return report.backend;
}
