import type * as tf from '@tensorflow/tfjs-core';

/**
 * The backends tdhook patches.
 *
 * @example
 * const backend: PatchableBackend = 'wasm';
 */
export type PatchableBackend = 'wasm' | 'cpu';

/**
 * A small computation run on the patched backend and on the stock cpu backend (or compared with `expected`)
 * right after the patch is installed, so that a patch that computes wrong numbers is never used.
 *
 * @example
 * const selfTest: PatchSelfTest = { run: () => tf.grad((x) => tf.sum(tf.square(x)))(tf.tensor1d([1, 2])), expected: [[2, 4]] };
 */
export interface PatchSelfTest {
  /** Builds its inputs from plain numbers and returns what to compare; runs inside `tf.tidy`. */
  readonly run: () => tf.Tensor | tf.Tensor[];
  /** Known values to compare against; when omitted, the same `run` on the stock cpu backend is the reference. */
  readonly expected?: readonly (readonly number[])[];
  /** Largest absolute difference accepted. Default 1e-4. */
  readonly tolerance?: number;
}

/**
 * One fix to TF.js: a kernel registered for one backend, a gradient registered for all, or a guard that
 * turns a silently wrong kernel into a clear error. Installing returns the function that restores what was
 * there before.
 *
 * @example
 * const patch: KernelPatch = {
 *   id: 'wasm/Conv2DBackpropFilter',
 *   backends: ['wasm'],
 *   kind: 'missing-kernel',
 *   summary: 'conv2d weight gradient (missing on wasm), as a convolution of x with dy',
 *   install: (backend) => registerKernelPatch({ kernelName: 'Conv2DBackpropFilter', backendName: backend, kernelFunc }),
 *   selfTest: { run: () => tf.grad((w) => tf.sum(tf.conv2d(x, w, 1, 'same')))(w0) },
 * };
 */
export interface KernelPatch {
  /** `backend/Kernel` or `all/Gradient`: stable, used to disable it (`patches: { disable: [id] }`). */
  readonly id: string;
  /** Which backends it applies to; gradient patches list every backend. */
  readonly backends: readonly PatchableBackend[];
  readonly kind: 'missing-kernel' | 'wrong-kernel' | 'fast-kernel' | 'gradient' | 'guard';
  /** One line: what it fixes and how. */
  readonly summary: string;
  /** Installs the patch for `backend` and returns its undo. */
  install(backend: PatchableBackend): () => void;
  readonly selfTest?: PatchSelfTest;
}
