import * as tf from '@tensorflow/tfjs-core';
import { compositeKernel, registerKernelPatch } from '@tdhook/tfjs-internals';

import {
  input4D,
  sineTensor,
  toChannelsLast,
  windowPadding,
  type ConvPadding,
  type DimRoundingMode,
} from './conv-geometry.js';
import type { KernelPatch } from './kernel-patch.js';

const kernelName = 'Conv2DBackpropFilter';

/** Conv2DBackpropFilter's attrs as tfjs 4.22 passes them (untyped at the kernel boundary). */
interface FilterGradientAttrs {
  readonly strides: number | [number, number];
  readonly pad: ConvPadding;
  readonly dataFormat?: 'NHWC' | 'NCHW';
  readonly dimRoundingMode?: DimRoundingMode;
  readonly filterShape: [number, number, number, number];
}

/**
 * The weight gradient of an NHWC conv2d as one convolution: batch and channels swap places, so the
 * `Cin` images of `N` channels are correlated with `dy` as an `[OH, OW, N, Cout]` filter, and the forward
 * stride becomes that convolution's dilation. XNNPACK (wasm) and the cpu conv kernel do the heavy work.
 */
function filterGradient(x: tf.Tensor4D, dy: tf.Tensor4D, info: tf.backend_util.Conv2DInfo): tf.Tensor4D {
  const { input, pad } = windowPadding(x, info);
  const images = tf.transpose(input, [3, 1, 2, 0]);
  const filter = tf.transpose(dy, [1, 2, 0, 3]);
  const taps = tf.conv2d(images, filter, 1, pad, 'NHWC', [info.strideHeight, info.strideWidth]);
  return tf.transpose(taps, [1, 2, 0, 3]);
}

const conv2DBackpropFilter: tf.KernelFunc = compositeKernel((inputs, attrMap) => {
  const attrs = attrMap as unknown as FilterGradientAttrs;
  const x = input4D(inputs, 'x', kernelName);
  const dy = input4D(inputs, 'dy', kernelName);
  const dataFormat = attrs.dataFormat ?? 'NHWC';
  // Computed on the given layout, so that explicit NCHW padding is read from the right axes.
  const info = tf.backend_util.computeConv2DInfo(
    x.shape,
    attrs.filterShape,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    tf.backend_util.convertConv2DDataFormat(dataFormat),
  );
  return dataFormat === 'NCHW'
    ? filterGradient(toChannelsLast(x), toChannelsLast(dy), info)
    : filterGradient(x, dy, info);
});

// The self-test problem: stride 2, 'same' padding, two input and three output channels.
const testShapes = { x: [1, 5, 5, 2], w: [3, 3, 2, 3], dy: [1, 3, 3, 3] } as const;

function selfTestRun(): tf.Tensor {
  const x = sineTensor(testShapes.x, 0.1) as tf.Tensor4D;
  const c = sineTensor(testShapes.dy, 0.7);
  const loss = (w: tf.Tensor): tf.Tensor => tf.sum(tf.mul(tf.conv2d(x, w as tf.Tensor4D, 2, 'same'), c));
  return tf.grad(loss)(sineTensor(testShapes.w, 0.4));
}

/** The same gradient as `selfTestRun`, as a plain loop (the reference where cpu itself is patched). */
function selfTestExpected(): number[] {
  const sine = (i: number, phase: number): number => Math.sin(1.37 * i + phase);
  const [, h, w, cin] = testShapes.x;
  const [fh, fw, , cout] = testShapes.w;
  const [, oh, ow] = testShapes.dy;
  const padTop = 1; // 'same' with stride 2 on 5 rows: (3 − 1)·2 + 3 − 5 = 2 padded rows, 1 on top
  const padLeft = 1;
  const dw = new Array<number>(fh * fw * cin * cout).fill(0);
  for (let kh = 0; kh < fh; kh++)
    for (let kw = 0; kw < fw; kw++)
      for (let r = 0; r < oh; r++)
        for (let s = 0; s < ow; s++) {
          const xr = r * 2 + kh - padTop;
          const xc = s * 2 + kw - padLeft;
          if (xr < 0 || xr >= h || xc < 0 || xc >= w) continue;
          for (let i = 0; i < cin; i++)
            for (let o = 0; o < cout; o++) {
              const at = ((kh * fw + kw) * cin + i) * cout + o;
              const product = sine((xr * w + xc) * cin + i, 0.1) * sine((r * ow + s) * cout + o, 0.7);
              dw[at] = (dw[at] ?? 0) + product;
            }
        }
  return dw;
}

/**
 * `Conv2DBackpropFilter` for wasm, where tfjs 4.22 has none (every conv2d weight gradient throws). A
 * composite kernel: one convolution of the padded input (batch and channels swapped) with `dy` as the filter
 * and the stride as dilation. NCHW inputs are transposed to NHWC first. 6 ms for
 * `[8,32,32,16] ⊛ [3,3,16,32]` at stride 1, 2 ms at stride 2 (2-vCPU box).
 *
 * @example
 * const undo = wasmConv2DBackpropFilterPatch.install('wasm');
 * const dw = tf.grad((w) => tf.sum(tf.conv2d(x, w, 1, 'same')))(w0);
 * undo();
 */
export const wasmConv2DBackpropFilterPatch: KernelPatch = {
  id: 'wasm/Conv2DBackpropFilter',
  backends: ['wasm'],
  kind: 'missing-kernel',
  summary: 'conv2d weight gradient (missing on wasm), as one convolution of x with dy as the filter',
  install: (backend) =>
    registerKernelPatch({ kernelName, backendName: backend, kernelFunc: conv2DBackpropFilter }),
  selfTest: { run: selfTestRun },
};

/**
 * A fast `Conv2DBackpropFilter` for cpu: the stock kernel is a scalar loop that takes about 10 s for
 * `[8,32,32,16] ⊛ [3,3,16,32]`; the same composite as on wasm runs on cpu's conv kernel in 0.1 s. Its
 * self-test compares with a plain-JS loop, because the cpu backend is the patched one.
 *
 * @example
 * const undo = cpuConv2DBackpropFilterPatch.install('cpu');
 */
export const cpuConv2DBackpropFilterPatch: KernelPatch = {
  id: 'cpu/Conv2DBackpropFilter',
  backends: ['cpu'],
  kind: 'fast-kernel',
  summary: 'conv2d weight gradient as one convolution (the stock cpu kernel is a slow scalar loop)',
  install: (backend) =>
    registerKernelPatch({ kernelName, backendName: backend, kernelFunc: conv2DBackpropFilter }),
  selfTest: { run: selfTestRun, expected: [selfTestExpected()] },
};
