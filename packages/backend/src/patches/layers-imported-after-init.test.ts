// Issue 12's bug: tfjs-layers' Node build bundles tfjs-core's register_all_gradients and runs it when it is
// loaded, so importing it after initBackend() used to register the stock BatchMatMul gradient over the patch
// while initBackend() still reported it installed. This file imports nothing of tfjs-layers until the test
// does (its twin, layers-imported-before-init.test.ts, imports it first); vitest forks a process per file.
import { findGradient, releaseAbandonedTape } from '@tdhook/tfjs-internals';
import { afterAll, describe, expect, inject, it } from 'vitest';

import { initBackend } from '../init-backend.js';
import { broadcastMatMulGradient, expectGradientPatchesInForce } from './import-order-checks.js';
import { installedPatchIds, restorePatches } from './install-patches.js';

const backend = inject('tdhookBackend');

afterAll(() => {
  restorePatches();
});

describe('tfjs-layers imported after initBackend()', () => {
  it('keeps every gradient patch in force, as initBackend() reports', async () => {
    const stock = findGradient('BatchMatMul');
    const report = await initBackend({ backend });
    const gradients = report.patches.filter((patch) => patch.kind === 'gradient');
    expect(gradients.map(({ id, status }) => [id, status])).toEqual([
      ['all/BatchMatMul-gradient', 'installed'],
      ['all/comparison-gradients', 'installed'],
    ]);
    expectGradientPatchesInForce();

    await import('@tensorflow/tfjs-layers');

    expectGradientPatchesInForce();
    expect(installedPatchIds()).toEqual(
      expect.arrayContaining(['all/BatchMatMul-gradient', 'all/comparison-gradients']),
    );

    // The import did register its own stock gradient (underneath the patch): restoring brings back that one,
    // not the one patched over, and it has the bug the patch fixes.
    restorePatches();
    const layers = findGradient('BatchMatMul');
    expect(layers).toBeDefined();
    expect(layers).not.toBe(stock);
    expect(() => broadcastMatMulGradient()).toThrow(/gradient of input 'b' has shape '2,4,5'.*'4,5'/);
    releaseAbandonedTape();
  });
});
