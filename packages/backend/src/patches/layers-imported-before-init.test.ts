// The twin of layers-imported-after-init.test.ts: tfjs-layers is imported (and registers its copy of the
// stock gradients) before initBackend() installs the patches; vitest forks a process per file.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { findGradient } from '@tdhook/tfjs-internals';
import { afterAll, describe, expect, inject, it } from 'vitest';

import { initBackend } from '../init-backend.js';
import { expectGradientPatchesInForce } from './import-order-checks.js';
import { installedPatchIds, restorePatches } from './install-patches.js';

const backend = inject('tdhookBackend');

afterAll(() => {
  restorePatches();
});

describe('tfjs-layers imported before initBackend()', () => {
  it('keeps every gradient patch in force, and a Dense model differentiates as before', async () => {
    const layers = findGradient('BatchMatMul');
    const report = await initBackend({ backend });
    const gradients = report.patches.filter((patch) => patch.kind === 'gradient');
    expect(gradients.map(({ id, status }) => [id, status])).toEqual([
      ['all/BatchMatMul-gradient', 'installed'],
      ['all/comparison-gradients', 'installed'],
    ]);
    expectGradientPatchesInForce();
    expect(installedPatchIds()).toEqual(
      expect.arrayContaining(['all/BatchMatMul-gradient', 'all/comparison-gradients']),
    );

    const model = tfl.sequential({
      layers: [tfl.layers.dense({ inputShape: [3], units: 2, useBias: false })],
    });
    const weights = tf.tensor2d([1, 2, 3, 4, 5, 6], [3, 2]);
    model.setWeights([weights]);
    const x = tf.tensor2d([1, 1, 1], [1, 3]);
    const dx = tf.grad((input: tf.Tensor) => tf.sum(model.apply(input) as tf.Tensor))(x);
    expect(dx).toBeCloseToTensor([[3, 7, 11]]);
    tf.dispose([weights, x, dx]);
    model.dispose();

    restorePatches();
    expect(findGradient('BatchMatMul')).toBe(layers);
  });
});
