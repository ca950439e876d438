// initBackend fails with the typed error of @tdhook/tfjs-internals when its self-check fails. In a file of
// its own: the self-check caches what passed per process, and here nothing has run it yet.
import * as tf from '@tensorflow/tfjs-core';
import { RecordedPass, registerKernelPatch, TfjsInternalsError } from '@tdhook/tfjs-internals';
import { afterEach, describe, expect, inject, it } from 'vitest';

import { initBackend } from './init-backend.js';
import { restorePatches } from './patches/install-patches.js';

const projectBackend = inject('tdhookBackend');

afterEach(async () => {
  restorePatches();
  await tf.setBackend(projectBackend);
});

describe('initBackend', () => {
  it('fails with the self-check’s typed error, and succeeds once the cause is gone (failures are not cached)', async () => {
    // A kernel patch that breaks the check: the recording check runs Relu, and this Relu records a pass
    // before the tape is proven (E_TFJS_REENTERED).
    const undo = registerKernelPatch({
      kernelName: 'Relu',
      backendName: projectBackend,
      wrap: (stock) => ({
        ...stock,
        kernelFunc: (args) => {
          RecordedPass.record(() => tf.scalar(1)).dispose();
          return stock.kernelFunc(args);
        },
      }),
    });
    const error = await initBackend({ backend: projectBackend, selfTest: false }).catch(
      (caught: unknown) => caught,
    );
    undo();
    expect(TfjsInternalsError.isInstance(error)).toBe(true);
    expect((error as TfjsInternalsError).code).toBe('E_TFJS_REENTERED');
    expect((error as TfjsInternalsError).tfjsCoreVersion).toBe(tf.version_core);
    const report = await initBackend({ backend: projectBackend, selfTest: false });
    expect(report.internals.checked).toContain('recording');
  });
});
