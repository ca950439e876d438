// What the patch parity tests share: deterministic inputs, stock-cpu references, and scoped installs.
import * as tf from '@tensorflow/tfjs-core';

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
