import * as tf from '@tensorflow/tfjs-core';
import { compositeKernel, registerKernelPatch } from '@tdhook/tfjs-internals';

import {
  input4D,
  sineTensor,
  transposedConvInput,
  windowPadding,
  type ConvPadding,
  type DimRoundingMode,
} from './conv-geometry.js';
import type { KernelPatch } from './kernel-patch.js';

const inputKernelName = 'DepthwiseConv2dNativeBackpropInput';
const filterKernelName = 'DepthwiseConv2dNativeBackpropFilter';

/** The attrs both depthwise backprop kernels get from tfjs 4.22 (untyped at the kernel boundary). */
interface DepthwiseAttrs {
  readonly strides: number | [number, number];
  readonly dilations?: number | [number, number];
  readonly pad: ConvPadding;
  readonly dimRoundingMode?: DimRoundingMode;
}

type Shape4D = [number, number, number, number];

function depthwiseInfo(
  inShape: Shape4D,
  filterShape: Shape4D,
  attrs: DepthwiseAttrs,
): tf.backend_util.Conv2DInfo {
  return tf.backend_util.computeConv2DInfo(
    inShape,
    filterShape,
    attrs.strides,
    attrs.dilations ?? 1,
    attrs.pad,
    attrs.dimRoundingMode,
    true,
  );
}

// dx: each of the C·M dy channels is correlated with its own flipped taps, then the M products of an input
// channel add up. Dilation is handled by dilating that correlation like the forward filter.
const depthwiseBackpropInput: tf.KernelFunc = compositeKernel((inputs, attrMap) => {
  const attrs = attrMap as unknown as DepthwiseAttrs & { readonly inputShape: Shape4D };
  const dy = input4D(inputs, 'dy', inputKernelName);
  const filter = input4D(inputs, 'filter', inputKernelName);
  const info = depthwiseInfo(attrs.inputShape, filter.shape, attrs);
  const [fh, fw, c, m] = filter.shape;
  const { input, pad } = transposedConvInput(dy, info);
  const flipped = tf.reshape<tf.Rank.R4>(tf.reverse(filter, [0, 1]), [fh, fw, c * m, 1]);
  const dx = tf.depthwiseConv2d(input, flipped, 1, pad, 'NHWC', [info.dilationHeight, info.dilationWidth]);
  const [n, h, w] = attrs.inputShape;
  return m === 1 ? dx : tf.sum(tf.reshape(dx, [n, h, w, c, m]), 4);
});

// dW: the N images become the N·C channels of one image, and dy becomes their [OH, OW, N·C, M] filter; the
// forward strides and dilations swap roles. One depthwise convolution, then a sum over the batch.
const depthwiseBackpropFilter: tf.KernelFunc = compositeKernel((inputs, attrMap) => {
  const attrs = attrMap as unknown as DepthwiseAttrs & { readonly filterShape: Shape4D };
  const x = input4D(inputs, 'x', filterKernelName);
  const dy = input4D(inputs, 'dy', filterKernelName);
  const info = depthwiseInfo(x.shape, attrs.filterShape, attrs);
  if (
    Math.max(info.strideHeight, info.strideWidth) > 1 &&
    Math.max(info.dilationHeight, info.dilationWidth) > 1
  ) {
    // The forward op rejects this too; with the roles swapped below, tf's own message would mislead.
    throw new Error(`${filterKernelName}: strides and dilations cannot both be greater than 1.`);
  }
  const [fh, fw, c, m] = attrs.filterShape;
  const n = x.shape[0];
  const { input, pad } = windowPadding(x, info);
  const [, rows, cols] = input.shape;
  const image = tf.reshape<tf.Rank.R4>(tf.transpose(input, [1, 2, 0, 3]), [1, rows, cols, n * c]);
  const taps = tf.reshape<tf.Rank.R4>(tf.transpose(dy, [1, 2, 0, 3]), [
    info.outHeight,
    info.outWidth,
    n * c,
    m,
  ]);
  const grads = tf.depthwiseConv2d(image, taps, [info.dilationHeight, info.dilationWidth], pad, 'NHWC', [
    info.strideHeight,
    info.strideWidth,
  ]);
  return n === 1 ? tf.reshape(grads, [fh, fw, c, m]) : tf.sum(tf.reshape(grads, [fh, fw, n, c, m]), 2);
});

// The self-test problem: stride 2, 'same' padding, 2 channels, channel multiplier 2.
const testX = [1, 5, 5, 2] as const;
const testW = [3, 3, 2, 2] as const;
const testDy = [1, 3, 3, 4] as const;

function depthwiseLoss(x: tf.Tensor, w: tf.Tensor): tf.Tensor {
  const y = tf.depthwiseConv2d(x as tf.Tensor4D, w as tf.Tensor4D, 2, 'same');
  return tf.sum(tf.mul(y, sineTensor(testDy, 0.7)));
}

/**
 * `DepthwiseConv2dNativeBackpropInput` for wasm, where tfjs 4.22 has none (every depthwiseConv2d and
 * separableConv2d input gradient throws). A composite kernel: a depthwise convolution of the dilated, padded
 * `dy` with the flipped filter reshaped to `[fh, fw, C·M, 1]`, then a sum over the channel multiplier.
 * Dilations > 1 (reachable only by calling the kernel directly: the gradient asserts dilation 1) are
 * computed exactly by dilating that convolution; the stock cpu kernel, by contrast, ignores them.
 *
 * @example
 * const undo = wasmDepthwiseBackpropInputPatch.install('wasm');
 * const dx = tf.grad((x) => tf.sum(tf.depthwiseConv2d(x, w, 1, 'same')))(x0);
 * undo();
 */
export const wasmDepthwiseBackpropInputPatch: KernelPatch = {
  id: `wasm/${inputKernelName}`,
  backends: ['wasm'],
  kind: 'missing-kernel',
  summary: 'depthwiseConv2d input gradient (missing on wasm), as a depthwise conv with the flipped filter',
  install: (backend) =>
    registerKernelPatch({
      kernelName: inputKernelName,
      backendName: backend,
      kernelFunc: depthwiseBackpropInput,
    }),
  selfTest: {
    run: () => {
      const w = sineTensor(testW, 0.4);
      return tf.grad((x) => depthwiseLoss(x, w))(sineTensor(testX, 0.1));
    },
  },
};

/**
 * `DepthwiseConv2dNativeBackpropFilter` for wasm, where tfjs 4.22 has none. A composite kernel: the batch
 * folds into the channels of one image, which one depthwise convolution correlates with `dy` as the filter
 * (forward strides become dilations), then a sum over the batch: 5 ms for `[8,32,32,32] ⊛ [3,3,32,1]`, where
 * a strided slice per tap took 12 ms (83 ms at stride 2). Dilations > 1 are exact too (the stock cpu kernel
 * ignores them); strides and dilations both > 1, which the forward op rejects, throw.
 *
 * @example
 * const undo = wasmDepthwiseBackpropFilterPatch.install('wasm');
 * const dw = tf.grad((w) => tf.sum(tf.depthwiseConv2d(x, w, 2, 'same')))(w0);
 * undo();
 */
export const wasmDepthwiseBackpropFilterPatch: KernelPatch = {
  id: `wasm/${filterKernelName}`,
  backends: ['wasm'],
  kind: 'missing-kernel',
  summary: 'depthwiseConv2d weight gradient (missing on wasm), as one depthwise conv of x with dy',
  install: (backend) =>
    registerKernelPatch({
      kernelName: filterKernelName,
      backendName: backend,
      kernelFunc: depthwiseBackpropFilter,
    }),
  selfTest: {
    run: () => {
      const x = sineTensor(testX, 0.1);
      return tf.grad((w) => depthwiseLoss(x, w))(sineTensor(testW, 0.4));
    },
  },
};
