import * as tf from '@tensorflow/tfjs-core';
import { compositeKernel, registerKernelPatch } from '@tdhook/tfjs-internals';

import {
  input4D,
  sineTensor,
  toChannelsLast,
  transposedConvInput,
  type ConvPadding,
  type DimRoundingMode,
} from './conv-geometry.js';
import type { KernelPatch } from './kernel-patch.js';

const kernelName = 'Conv2DBackpropInput';

/** Conv2DBackpropInput's attrs as tfjs 4.22 passes them (untyped at the kernel boundary). */
interface InputGradientAttrs {
  readonly strides: number | [number, number];
  readonly pad: ConvPadding;
  readonly dataFormat?: 'NHWC' | 'NCHW';
  readonly dimRoundingMode?: DimRoundingMode;
  readonly inputShape: [number, number, number, number];
}

/** dx of an NHWC conv2d: dy zero-dilated and padded, correlated with the flipped, transposed filter. */
function inputGradient(dy: tf.Tensor4D, filter: tf.Tensor4D, info: tf.backend_util.Conv2DInfo): tf.Tensor4D {
  const { input, pad } = transposedConvInput(dy, info);
  const flipped = tf.transpose(tf.reverse(filter, [0, 1]), [0, 1, 3, 2]);
  return tf.conv2d(input, flipped, 1, pad);
}

const conv2DBackpropInput: tf.KernelFunc = compositeKernel((inputs, attrMap) => {
  const attrs = attrMap as unknown as InputGradientAttrs;
  const dy = input4D(inputs, 'dy', kernelName);
  const filter = input4D(inputs, 'filter', kernelName);
  const dataFormat = attrs.dataFormat ?? 'NHWC';
  const info = tf.backend_util.computeConv2DInfo(
    attrs.inputShape,
    filter.shape,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    tf.backend_util.convertConv2DDataFormat(dataFormat),
  );
  return dataFormat === 'NCHW'
    ? toChannelsLast(inputGradient(toChannelsLast(dy), filter, info), true)
    : inputGradient(dy, filter, info);
});

/**
 * A fast `Conv2DBackpropInput` for wasm (the conv2d input gradient and the forward pass of
 * `conv2dTranspose`). The builtin is a scalar loop (31 ms for `[8,32,32,16] ⊛ [3,3,16,32]`, 3 ms patched); this composite
 * zero-dilates `dy` by the stride, pads it by `filter − 1 − padding` (cropping where negative) and runs one
 * XNNPACK convolution with the flipped, transposed filter.
 *
 * @example
 * const undo = wasmConv2DBackpropInputPatch.install('wasm');
 * const dx = tf.grad((x) => tf.sum(tf.conv2d(x, w, 2, 'same')))(x0);
 * undo();
 */
export const wasmConv2DBackpropInputPatch: KernelPatch = {
  id: 'wasm/Conv2DBackpropInput',
  backends: ['wasm'],
  kind: 'fast-kernel',
  summary: 'conv2d input gradient as one XNNPACK convolution of the dilated dy (the builtin is a slow loop)',
  install: (backend) =>
    registerKernelPatch({ kernelName, backendName: backend, kernelFunc: conv2DBackpropInput }),
  selfTest: {
    run: () => {
      const w = sineTensor([3, 3, 2, 3], 0.4) as tf.Tensor4D;
      const c = sineTensor([1, 3, 3, 3], 0.7);
      const loss = (x: tf.Tensor): tf.Tensor => tf.sum(tf.mul(tf.conv2d(x as tf.Tensor4D, w, 2, 'same'), c));
      return tf.grad(loss)(sineTensor([1, 5, 5, 2], 0.1));
    },
  },
};
