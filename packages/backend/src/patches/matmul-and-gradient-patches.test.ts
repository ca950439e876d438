import * as tf from '@tensorflow/tfjs-core';
import { findGradient, findKernel } from '@tdhook/tfjs-internals';
import { describe, expect, inject, it } from 'vitest';

import { onStockCpu } from './on-cpu.js';
import type { KernelPatch } from './kernel-patch.js';
import { matmulAndGradientPatches } from './matmul-and-gradient-patches.js';

const backend = inject('tdhookBackend');

const read = (result: tf.Tensor | tf.Tensor[]): number[][] =>
  (Array.isArray(result) ? result : [result]).map((t) => Array.from(t.dataSync()));

function runSelfTest(patch: KernelPatch): number[][] {
  return tf.tidy(() => read(patch.selfTest?.run() ?? []));
}

describe('matmulAndGradientPatches', () => {
  it('has unique ids, a summary each, and the expected kinds', () => {
    const ids = matmulAndGradientPatches.map((patch) => patch.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual([
      'wasm/BatchMatMul',
      'all/BatchMatMul-gradient',
      'all/comparison-gradients',
      'wasm/Conv3DBackpropInputV2',
      'wasm/Conv3DBackpropFilterV2',
      'wasm/MaxPool3D',
      'wasm/MaxPool3DGrad',
      'wasm/MaxPoolWithArgmax',
    ]);
    for (const patch of matmulAndGradientPatches) {
      expect(patch.summary.length).toBeGreaterThan(10);
      if (patch.kind === 'guard') expect(patch.selfTest).toBeUndefined();
      else expect(patch.selfTest).toBeDefined();
      // Only patches that also apply to cpu need known values: for them the cpu run would use the patch.
      expect(patch.selfTest?.expected !== undefined).toBe(patch.backends.includes('cpu'));
    }
  });

  it(`install on ${backend}, pass their self-tests, and undo back to stock`, async () => {
    const applicable = matmulAndGradientPatches.filter((patch) => patch.backends.includes(backend));
    const references = await onStockCpu(() =>
      applicable.map((patch) =>
        patch.selfTest === undefined ? [] : (patch.selfTest.expected ?? runSelfTest(patch)),
      ),
    );
    const kernel = findKernel('BatchMatMul', backend);
    const gradient = findGradient('BatchMatMul');
    const undos = applicable.map((patch) => patch.install(backend));
    try {
      applicable.forEach((patch, index) => {
        if (patch.selfTest === undefined) return;
        const actual = runSelfTest(patch);
        const expected = references[index] ?? [];
        expect(actual.length, patch.id).toBe(expected.length);
        actual.forEach((values, k) => {
          expect(new Float32Array(values), `${patch.id} output ${String(k)}`).toBeCloseToTensor(
            new Float32Array(expected[k] ?? []),
            { rtol: 0, atol: patch.selfTest?.tolerance ?? 1e-4 },
          );
        });
      });
    } finally {
      for (const undo of undos.reverse()) undo();
    }
    expect(findKernel('BatchMatMul', backend)).toBe(kernel);
    expect(findGradient('BatchMatMul')).toBe(gradient);
    expect(findGradient('Greater')).toBeUndefined();
  });
});
