import { cpuConv2DBackpropFilterPatch, wasmConv2DBackpropFilterPatch } from './conv2d-backprop-filter.js';
import { wasmConv2DBackpropInputPatch } from './conv2d-backprop-input.js';
import { wasmDepthwiseBackpropFilterPatch, wasmDepthwiseBackpropInputPatch } from './depthwise-backprop.js';
import type { KernelPatch } from './kernel-patch.js';
import { wasmMaxPoolGradPatch } from './max-pool-grad.js';
import { cpuUnsortedSegmentSumPatch, wasmUnsortedSegmentSumPatch } from './unsorted-segment-sum.js';

/**
 * The convolution, pooling and segment-sum kernel patches: missing wasm gradient kernels, the exact wasm
 * max-pool gradient, and faster cpu kernels where the stock ones are scalar loops. Each lists the backends it
 * applies to.
 *
 * @example
 * const undos = convAndPoolingPatches.filter((p) => p.backends.includes('wasm')).map((p) => p.install('wasm'));
 */
export const convAndPoolingPatches: readonly KernelPatch[] = [
  wasmConv2DBackpropFilterPatch,
  cpuConv2DBackpropFilterPatch,
  wasmConv2DBackpropInputPatch,
  wasmDepthwiseBackpropInputPatch,
  wasmDepthwiseBackpropFilterPatch,
  wasmMaxPoolGradPatch,
  wasmUnsortedSegmentSumPatch,
  cpuUnsortedSegmentSumPatch,
];
