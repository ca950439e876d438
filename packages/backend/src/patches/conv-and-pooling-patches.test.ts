import * as tf from '@tensorflow/tfjs-core';
import { findKernel } from '@tdhook/tfjs-internals';
import { describe, expect, inject, it } from 'vitest';

import { onStockCpu } from './on-cpu.js';
import { convAndPoolingPatches } from './conv-and-pooling-patches.js';
import { installPatches, restorePatches } from './install-patches.js';
import type { KernelPatch } from './kernel-patch.js';

const backend = inject('tdhookBackend');

const read = (result: tf.Tensor | tf.Tensor[]): number[][] =>
  (Array.isArray(result) ? result : [result]).map((t) => Array.from(t.dataSync()));

/** Runs a self-test on the active backend and reads every tensor it returns. */
function runSelfTest(patch: KernelPatch): number[][] {
  const run = patch.selfTest?.run;
  if (run === undefined) throw new Error(`${patch.id} has no self-test`);
  const result = tf.tidy(run);
  const values = read(result);
  tf.dispose(result);
  return values;
}

function onCpu(patch: KernelPatch): Promise<number[][]> {
  return onStockCpu(() => runSelfTest(patch));
}

function expectClose(actual: number[][], expected: readonly (readonly number[])[], tolerance: number): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((values, i) => {
    expect(values).toBeCloseToTensor([...(expected[i] ?? [])], { rtol: 0, atol: tolerance });
  });
}

// The kernel name is the part of the id after the backend.
const kernelOf = (patch: KernelPatch): string => patch.id.slice(patch.id.indexOf('/') + 1);

describe('convAndPoolingPatches', () => {
  it('lists every conv, pooling and segment-sum patch once, each with a self-test', () => {
    const ids = convAndPoolingPatches.map((patch) => patch.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual([
      'cpu/Conv2DBackpropFilter',
      'cpu/UnsortedSegmentSum',
      'wasm/Conv2DBackpropFilter',
      'wasm/Conv2DBackpropInput',
      'wasm/DepthwiseConv2dNativeBackpropFilter',
      'wasm/DepthwiseConv2dNativeBackpropInput',
      'wasm/MaxPoolGrad',
      'wasm/UnsortedSegmentSum',
    ]);
    for (const patch of convAndPoolingPatches) {
      expect(patch.backends, patch.id).toEqual([patch.id.split('/')[0]]);
      expect(patch.summary.length, patch.id).toBeGreaterThan(20);
      expect(patch.selfTest, patch.id).toBeDefined();
    }
  });

  it('has plain-JS expected values that agree with the stock cpu kernels', async () => {
    for (const patch of convAndPoolingPatches) {
      const expected = patch.selfTest?.expected;
      if (expected === undefined) continue;
      expectClose(await onCpu(patch), expected, 1e-5);
    }
  });

  it('installs through installPatches, every applicable self-test passing, and restores', async () => {
    const reports = await installPatches(backend, convAndPoolingPatches);
    try {
      const expected = convAndPoolingPatches.filter((patch) => patch.backends.includes(backend));
      expect(reports.map((report) => [report.id, report.status])).toEqual(
        expected.map((patch) => [patch.id, 'installed']),
      );
    } finally {
      restorePatches();
    }
  });

  describe.each(convAndPoolingPatches.filter((patch) => patch.backends.includes(backend)))('$id', (patch) => {
    it('passes its self-test against the stock cpu backend or its expected values', async () => {
      const expected = patch.selfTest?.expected ?? (await onCpu(patch));
      const undo = patch.install(backend);
      try {
        expectClose(runSelfTest(patch), expected, patch.selfTest?.tolerance ?? 1e-4);
      } finally {
        undo();
      }
    });

    it('would fail without the patch: the stock kernel is missing, or wrong on the self-test', async () => {
      if (patch.kind === 'missing-kernel') {
        // Checked in the registry: a gradient that throws for a missing kernel leaks the tape's saved tensors.
        expect(findKernel(kernelOf(patch), backend)).toBeUndefined();
      } else if (patch.kind === 'wrong-kernel') {
        const reference = await onCpu(patch);
        const stock = runSelfTest(patch);
        const worst = Math.max(
          ...stock.flatMap((values, i) => values.map((v, j) => Math.abs(v - (reference[i]?.[j] ?? NaN)))),
        );
        expect(worst).toBeGreaterThan(1e-2);
      }
    });

    it('restores the original kernel (or none) on undo', () => {
      const kernelName = kernelOf(patch);
      const original = findKernel(kernelName, backend);
      const undo = patch.install(backend);
      expect(findKernel(kernelName, backend)).not.toBe(original);
      undo();
      expect(findKernel(kernelName, backend)).toBe(original);
    });
  });
});
