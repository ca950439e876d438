import * as tf from '@tensorflow/tfjs-core';
import { runKernel } from '@tdhook/tfjs-internals/testing';
import { describe, expect, inject, it } from 'vitest';

import { cpuConv2DBackpropFilterPatch, wasmConv2DBackpropFilterPatch } from './conv2d-backprop-filter.js';
import { wasmConv2DBackpropInputPatch } from './conv2d-backprop-input.js';
import { wasmDepthwiseBackpropFilterPatch, wasmDepthwiseBackpropInputPatch } from './depthwise-backprop.js';
import type { KernelPatch } from './kernel-patch.js';
import { wasmMaxPoolGradPatch } from './max-pool-grad.js';
import { cpuUnsortedSegmentSumPatch, wasmUnsortedSegmentSumPatch } from './unsorted-segment-sum.js';

// Timings are logged, never asserted: the machine is shared and noisy. On cpu only the patched kernels
// run (the stock ones take seconds to minutes at these sizes). Where a stock kernel exists and is quick, its
// time is logged too and both results are checked to agree.

const backend = inject('tdhookBackend');

const random = (shape: number[], seed: number, low = -1, high = 1): tf.Tensor =>
  tf.randomUniform(shape, low, high, 'float32', seed);

function median(samples: number[]): number {
  const sorted = [...samples].sort((p, q) => p - q);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

interface KernelRun {
  readonly kernel: string;
  readonly inputs: tf.NamedTensorMap;
  readonly attrs: tf.NamedAttrMap;
}

const runOnce = ({ kernel, inputs, attrs }: KernelRun): tf.Tensor => runKernel(kernel, inputs, attrs);

/** Median ms of `reps` kernel runs after `warmup`, each synchronised by reading its output. */
function timeKernel(run: KernelRun, reps: number, warmup: number): number {
  const samples: number[] = [];
  for (let i = 0; i < warmup + reps; i++) {
    const start = performance.now();
    const out = runOnce(run);
    out.dataSync();
    const elapsed = performance.now() - start;
    out.dispose();
    if (i >= warmup) samples.push(elapsed);
  }
  return median(samples);
}

interface TimingCase {
  readonly label: string;
  readonly patch: KernelPatch;
  readonly make: () => KernelRun;
  /** Also time the stock kernel (when it exists and is quick) and check both agree. */
  readonly compareStock?: boolean;
}

const conv = { x: [8, 32, 32, 16], w: [3, 3, 16, 32] };
const convDy = (stride: number): number[] => [8, 32 / stride, 32 / stride, 32];

const filterGrad =
  (stride: number): (() => KernelRun) =>
  () => ({
    kernel: 'Conv2DBackpropFilter',
    inputs: { x: random(conv.x, 1), dy: random(convDy(stride), 2) },
    attrs: { strides: stride, pad: 'same', dataFormat: 'NHWC', filterShape: conv.w },
  });

const inputGrad =
  (stride: number): (() => KernelRun) =>
  () => ({
    kernel: 'Conv2DBackpropInput',
    inputs: { dy: random(convDy(stride), 2), filter: random(conv.w, 3) },
    attrs: { strides: stride, pad: 'same', dataFormat: 'NHWC', inputShape: conv.x },
  });

const depthwise =
  (kernel: string, stride: number): (() => KernelRun) =>
  () => {
    const dy = random([8, 32 / stride, 32 / stride, 32], 2);
    const common = { strides: stride, dilations: 1, pad: 'same' };
    return kernel === 'DepthwiseConv2dNativeBackpropInput'
      ? {
          kernel,
          inputs: { dy, filter: random([3, 3, 32, 1], 3) },
          attrs: { ...common, inputShape: [8, 32, 32, 32] },
        }
      : {
          kernel,
          inputs: { x: random([8, 32, 32, 32], 1), dy },
          attrs: { ...common, filterShape: [3, 3, 32, 1] },
        };
  };

const maxPoolGrad =
  (size: number, stride: number): (() => KernelRun) =>
  () => {
    // Positive values, so that the stock wasm kernel is right too and both can be compared.
    const input = random([8, 32, 32, 32], 1, 0.1, 1);
    const output = tf.maxPool(input as tf.Tensor4D, size, stride, 'same');
    const dy = random(output.shape, 2);
    return {
      kernel: 'MaxPoolGrad',
      inputs: { dy, input, output },
      attrs: { filterSize: size, strides: stride, pad: 'same' },
    };
  };

// The embedding gradient's kernel: 512 gathered rows of width 64 summed into a V-row table.
const segmentSum =
  (numSegments: number): (() => KernelRun) =>
  () => ({
    kernel: 'UnsortedSegmentSum',
    inputs: { x: random([512, 64], 1), segmentIds: tf.randomUniform([512], 0, numSegments, 'int32', 2) },
    attrs: { numSegments },
  });

const cases: readonly TimingCase[] = [
  {
    label: 'conv2d dW [8,32,32,16]x[3,3,16,32] s1 same',
    patch: wasmConv2DBackpropFilterPatch,
    make: filterGrad(1),
  },
  {
    label: 'conv2d dW [8,32,32,16]x[3,3,16,32] s2 same',
    patch: wasmConv2DBackpropFilterPatch,
    make: filterGrad(2),
  },
  {
    label: 'conv2d dW [8,32,32,16]x[3,3,16,32] s1 same',
    patch: cpuConv2DBackpropFilterPatch,
    make: filterGrad(1),
  },
  {
    label: 'conv2d dW [8,32,32,16]x[3,3,16,32] s2 same',
    patch: cpuConv2DBackpropFilterPatch,
    make: filterGrad(2),
  },
  {
    label: 'conv2d dx [8,32,32,16]x[3,3,16,32] s1 same',
    patch: wasmConv2DBackpropInputPatch,
    make: inputGrad(1),
    compareStock: true,
  },
  {
    label: 'conv2d dx [8,32,32,16]x[3,3,16,32] s2 same',
    patch: wasmConv2DBackpropInputPatch,
    make: inputGrad(2),
    compareStock: true,
  },
  {
    label: 'depthwise dx [8,32,32,32]x[3,3,32,1] s1 same',
    patch: wasmDepthwiseBackpropInputPatch,
    make: depthwise('DepthwiseConv2dNativeBackpropInput', 1),
  },
  {
    label: 'depthwise dW [8,32,32,32]x[3,3,32,1] s1 same',
    patch: wasmDepthwiseBackpropFilterPatch,
    make: depthwise('DepthwiseConv2dNativeBackpropFilter', 1),
  },
  {
    label: 'depthwise dW [8,32,32,32]x[3,3,32,1] s2 same',
    patch: wasmDepthwiseBackpropFilterPatch,
    make: depthwise('DepthwiseConv2dNativeBackpropFilter', 2),
  },
  {
    label: 'maxPool dx [8,32,32,32] 2x2 s2',
    patch: wasmMaxPoolGradPatch,
    make: maxPoolGrad(2, 2),
    compareStock: true,
  },
  {
    label: 'maxPool dx [8,32,32,32] 3x3 s1',
    patch: wasmMaxPoolGradPatch,
    make: maxPoolGrad(3, 1),
    compareStock: true,
  },
  { label: 'segment sum 512x64 into V=5000', patch: wasmUnsortedSegmentSumPatch, make: segmentSum(5000) },
  { label: 'segment sum 512x64 into V=50257', patch: wasmUnsortedSegmentSumPatch, make: segmentSum(50257) },
  { label: 'segment sum 512x64 into V=5000', patch: cpuUnsortedSegmentSumPatch, make: segmentSum(5000) },
  { label: 'segment sum 512x64 into V=50257', patch: cpuUnsortedSegmentSumPatch, make: segmentSum(50257) },
];

describe('conv and pooling patch timings (logged, not asserted)', () => {
  it.each(cases.filter((c) => c.patch.backends.includes(backend)))('$patch.id: $label', (c) => {
    const run = c.make();
    const reps = backend === 'cpu' && c.label.startsWith('conv') ? 3 : 10;
    try {
      let stockMs: number | undefined;
      let stock: tf.Tensor | undefined;
      if (c.compareStock === true) {
        stockMs = timeKernel(run, reps, 2);
        stock = runOnce(run);
      }
      const undo = c.patch.install(backend);
      try {
        const patchedMs = timeKernel(run, reps, backend === 'cpu' ? 1 : 2);
        const stockText = stockMs === undefined ? '' : `, stock ${stockMs.toFixed(1)} ms`;
        console.log(`[timing] ${backend} ${c.label}: patched ${patchedMs.toFixed(1)} ms${stockText}`);
        if (stock !== undefined) {
          const patched = runOnce(run);
          try {
            expect(patched).toBeCloseToTensor(stock, { rtol: 1e-4, atol: 1e-4 });
          } finally {
            patched.dispose();
          }
        }
      } finally {
        undo();
        stock?.dispose();
      }
    } finally {
      tf.dispose([...Object.values(run.inputs)]);
    }
  });
});
