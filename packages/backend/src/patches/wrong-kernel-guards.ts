import type * as tf from '@tensorflow/tfjs-core';
import { findKernel, registerKernelPatch } from '@tdhook/tfjs-internals';

import { BackendCapabilityError } from './backend-capability-error.js';
import type { KernelPatch } from './kernel-patch.js';

/**
 * A wasm kernel of TF.js 4.22 that returns wrong numbers, and when.
 *
 * @example
 * const spec: WrongKernelSpec = {
 *   kernelName: 'MaxPool3D',
 *   wrong: 'maxPool3d ignores pooling windows whose values are all ≤ 0',
 *   avoid: 'avoid 3-D max pooling (avgPool3d is correct)',
 * };
 */
export interface WrongKernelSpec {
  readonly kernelName: string;
  /** What the stock kernel gets wrong. */
  readonly wrong: string;
  /** The alternative to the cpu backend, as a clause: "avoid …". */
  readonly avoid: string;
  /**
   * When given, the kernel is only wrong for some attrs: returns the condition met (e.g. "strides 2,2,2")
   * or undefined, and the stock kernel runs. When omitted, the kernel always throws.
   */
  readonly wrongFor?: (attrs: tf.NamedAttrMap) => string | undefined;
}

function capabilityError(spec: WrongKernelSpec, condition: string | undefined): BackendCapabilityError {
  return new BackendCapabilityError({
    what:
      `TF.js 4.22 wasm computes wrong numbers in ${spec.kernelName}: ${spec.wrong}` +
      (condition === undefined ? '' : ` (here: ${condition})`),
    where: `kernel ${spec.kernelName} on the wasm backend`,
    fix: `Run this model on the cpu backend, initBackend({ backend: 'cpu' }), or ${spec.avoid}.`,
  });
}

/**
 * Makes a guard patch: on wasm, `spec.kernelName` throws a {@link BackendCapabilityError} (what is wrong and
 * how to get around it) instead of silently returning wrong numbers. Guards have no self-test.
 *
 * @example
 * const guard = wrongKernelGuard({ kernelName: 'MaxPool3D', wrong: '…', avoid: 'avoid 3-D max pooling' });
 * const undo = guard.install('wasm');
 */
export function wrongKernelGuard(spec: WrongKernelSpec): KernelPatch {
  return {
    id: `wasm/${spec.kernelName}`,
    backends: ['wasm'],
    kind: 'guard',
    summary: `throws instead of returning wrong numbers: ${spec.wrong}`,
    install(backend) {
      const { kernelName, wrongFor } = spec;
      const guarded =
        (stock: tf.KernelConfig | undefined): tf.KernelFunc =>
        (params) => {
          const condition = wrongFor?.(params.attrs ?? {});
          if (stock === undefined || wrongFor === undefined || condition !== undefined) {
            throw capabilityError(spec, condition);
          }
          return stock.kernelFunc(params);
        };
      // Built over whatever kernel is registered, now or later; with none, the guard always throws.
      return findKernel(kernelName, backend) === undefined
        ? registerKernelPatch({ kernelName, backendName: backend, kernelFunc: guarded(undefined) })
        : registerKernelPatch({
            kernelName,
            backendName: backend,
            wrap: (stock) => ({ ...stock, kernelFunc: guarded(stock) }),
          });
    },
  };
}

function stridesAbove1(attrs: tf.NamedAttrMap): string | undefined {
  const strides = (attrs as { strides?: number | readonly number[] }).strides ?? 1;
  const list = typeof strides === 'number' ? [strides, strides, strides] : strides;
  return list.some((stride) => stride > 1) ? `strides ${list.join(',')}` : undefined;
}

/**
 * Guards the conv3d input gradient (`Conv3DBackpropInputV2`), which stock wasm always gets wrong.
 *
 * @example
 * conv3dInputGradientGuard.install('wasm');
 * tf.grad((x: tf.Tensor5D) => tf.sum(tf.conv3d(x, w, 1, 'same')))(x0); // throws E_BACKEND_CAPABILITY
 */
export const conv3dInputGradientGuard: KernelPatch = wrongKernelGuard({
  kernelName: 'Conv3DBackpropInputV2',
  wrong: 'the conv3d input gradient (and conv3dTranspose) is wrong for every input',
  avoid: 'avoid differentiating a conv3d with respect to its input',
});

/**
 * Guards the conv3d filter gradient (`Conv3DBackpropFilterV2`), which stock wasm gets wrong when any stride
 * is above 1; with stride 1 the stock kernel runs.
 *
 * @example
 * conv3dFilterGradientGuard.install('wasm');
 * tf.grad((w: tf.Tensor5D) => tf.sum(tf.conv3d(x, w, 2, 'same')))(w0); // throws E_BACKEND_CAPABILITY
 */
export const conv3dFilterGradientGuard: KernelPatch = wrongKernelGuard({
  kernelName: 'Conv3DBackpropFilterV2',
  wrong: 'the conv3d filter gradient is wrong when a stride is above 1',
  avoid: 'use conv3d with stride 1 where you need its filter gradient',
  wrongFor: stridesAbove1,
});

const poolingWindows = 'pooling windows whose values are all ≤ 0 come out as 1.18e-38, not their max';

/**
 * Guards the 3-D max pool (`MaxPool3D`): stock wasm ignores windows whose values are all ≤ 0.
 *
 * @example
 * maxPool3dGuard.install('wasm');
 * tf.maxPool3d(x, 2, 2, 'valid'); // throws E_BACKEND_CAPABILITY
 */
export const maxPool3dGuard: KernelPatch = wrongKernelGuard({
  kernelName: 'MaxPool3D',
  wrong: `maxPool3d is wrong for negative inputs: ${poolingWindows}`,
  avoid: 'avoid 3-D max pooling (avgPool3d is correct)',
});

/**
 * Guards the 3-D max pool gradient (`MaxPool3DGrad`), wrong on stock wasm for the same windows.
 *
 * @example
 * maxPool3dGradientGuard.install('wasm');
 */
export const maxPool3dGradientGuard: KernelPatch = wrongKernelGuard({
  kernelName: 'MaxPool3DGrad',
  wrong: `the maxPool3d gradient is wrong for negative inputs: ${poolingWindows}`,
  avoid: 'avoid 3-D max pooling (avgPool3d is correct)',
});

/**
 * Guards `MaxPoolWithArgmax`, whose values and indices are wrong on stock wasm for the same windows.
 *
 * @example
 * maxPoolWithArgmaxGuard.install('wasm');
 * tf.maxPoolWithArgmax(x, 2, 2, 'valid'); // throws E_BACKEND_CAPABILITY
 */
export const maxPoolWithArgmaxGuard: KernelPatch = wrongKernelGuard({
  kernelName: 'MaxPoolWithArgmax',
  wrong: `maxPoolWithArgmax is wrong for negative inputs: ${poolingWindows}`,
  avoid: 'use tf.maxPool (its forward pass is correct on wasm) instead of maxPoolWithArgmax',
});

/**
 * Every wasm guard against a silently wrong kernel.
 *
 * @example
 * const undos = wrongKernelGuards.map((guard) => guard.install('wasm'));
 */
export const wrongKernelGuards: readonly KernelPatch[] = [
  conv3dInputGradientGuard,
  conv3dFilterGradientGuard,
  maxPool3dGuard,
  maxPool3dGradientGuard,
  maxPoolWithArgmaxGuard,
];
