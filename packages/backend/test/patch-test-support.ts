// What the patch parity tests share: deterministic inputs, stock-cpu references, and scoped installs.
import * as tf from '@tensorflow/tfjs-core';
import { findKernel } from '@tdhook/tfjs-internals';
import { expect } from 'vitest';

import type { KernelPatch, PatchableBackend } from '../src/patches/kernel-patch.js';
import { onStockCpu } from '../src/patches/on-cpu.js';

/** A tensor read out: its shape and values. */
export interface Values {
  readonly shape: number[];
  readonly data: number[];
}

export const size = (shape: readonly number[]): number => shape.reduce((product, dim) => product * dim, 1);

/** `sin(1.37·i + phase)` over the tensor's elements: deterministic, varied, in [-1, 1]. */
export const waveValues = (shape: readonly number[], phase: number): number[] =>
  Array.from({ length: size(shape) }, (_, i) => Math.sin(1.37 * i + phase));

export const wave = (shape: readonly number[], phase: number): tf.Tensor =>
  tf.tensor(waveValues(shape, phase), [...shape]);

export const readValues = (t: tf.Tensor): Values => ({ shape: [...t.shape], data: Array.from(t.dataSync()) });

/** Runs `fn` on the stock cpu backend (callers install patches only afterwards) and reads its result. */
export function cpuValues(fn: () => tf.Tensor): Promise<Values> {
  return onStockCpu(() => {
    const result = tf.tidy(fn);
    const values = readValues(result);
    result.dispose();
    return values;
  });
}

/** Runs `fn` with `patch` installed on `backend`, taking it out again afterwards. */
export function withPatch<T>(patch: KernelPatch, backend: PatchableBackend, fn: () => T): T {
  const undo = patch.install(backend);
  try {
    return fn();
  } finally {
    undo();
  }
}

/**
 * The checks every fast-kernel patch passes: with it installed, `cases()` gives stock cpu's values and shapes
 * exactly, its self-test gives what it gives on stock cpu (and its hand-worked values, if it has them), the
 * kernel is swapped while installed (`whileInstalled` runs further checks then) and stock again after.
 */
export async function expectFastKernelParity(
  patch: KernelPatch,
  kernelName: string,
  backend: PatchableBackend,
  cases: () => tf.Tensor[],
  whileInstalled: () => void,
): Promise<void> {
  // A type literal, not the Values interface: tf.tidy may return it (it has an implicit index signature).
  const readAll = (tensors: tf.Tensor[]): { shape: number[]; data: number[] }[] => tensors.map(readValues);
  const selfTestRun = (): tf.Tensor[] => [patch.selfTest?.run() ?? []].flat();
  const expected = await onStockCpu(() => tf.tidy(() => readAll(cases())));
  const selfTest = await onStockCpu(() => tf.tidy(() => readAll(selfTestRun())));
  const stock = findKernel(kernelName, backend);
  const undo = patch.install(backend);
  try {
    expect(findKernel(kernelName, backend)).not.toBe(stock);
    expect(tf.tidy(() => readAll(cases()))).toEqual(expected);
    const ran = tf.tidy(() => readAll(selfTestRun()));
    expect(ran).toEqual(selfTest);
    if (patch.selfTest?.expected !== undefined) {
      expect(ran.map((value) => value.data)).toEqual(patch.selfTest.expected);
    }
    whileInstalled();
  } finally {
    undo();
  }
  expect(findKernel(kernelName, backend)).toBe(stock);
}
