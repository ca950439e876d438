import * as tf from '@tensorflow/tfjs-core';
import { registerKernelPatch } from '@tdhook/tfjs-internals';

import { sineTensor, type ConvPadding, type DimRoundingMode } from './conv-geometry.js';
import type { KernelPatch } from './kernel-patch.js';

const kernelName = 'MaxPoolGrad';

/** MaxPoolGrad's attrs as tfjs 4.22 passes them (untyped at the kernel boundary). */
interface MaxPoolGradAttrs {
  readonly filterSize: number | [number, number];
  readonly strides: number | [number, number];
  readonly pad: ConvPadding;
  readonly dimRoundingMode?: DimRoundingMode;
}

/** The two backend methods a raw kernel needs (wasm and cpu both have them). */
interface DataStore {
  readSync(dataId: tf.DataId): tf.backend_util.BackendValues;
  write(values: Float32Array, shape: number[], dtype: 'float32'): tf.DataId;
}

/**
 * Where each `dy` value goes: the index in `x` of the first strict maximum of its window (row-major, padding
 * never wins), exactly as the cpu backend's maxPoolPositions, or -1 for an empty window. Channels are the
 * innermost loop so reads stay contiguous in NHWC.
 */
function maxPoolRouting(x: Float32Array, info: tf.backend_util.Conv2DInfo): Int32Array {
  const { batchSize, inHeight: h, inWidth: w, inChannels: channels, outHeight, outWidth } = info;
  const { strideHeight, strideWidth, dilationHeight, dilationWidth, padInfo } = info;
  const routing = new Int32Array(batchSize * outHeight * outWidth * channels).fill(-1);
  const best = new Float32Array(channels);
  let out = 0;
  for (let b = 0; b < batchSize; b++) {
    for (let oh = 0; oh < outHeight; oh++) {
      const top = oh * strideHeight - padInfo.top;
      const rowEnd = Math.min(h, top + info.effectiveFilterHeight);
      for (let ow = 0; ow < outWidth; ow++) {
        const left = ow * strideWidth - padInfo.left;
        const colEnd = Math.min(w, left + info.effectiveFilterWidth);
        best.fill(-Infinity);
        for (let r = top; r < rowEnd; r += dilationHeight) {
          if (r < 0) continue;
          for (let c = left; c < colEnd; c += dilationWidth) {
            if (c < 0) continue;
            const base = ((b * h + r) * w + c) * channels;
            for (let d = 0; d < channels; d++) {
              const value = x[base + d] ?? NaN;
              if (value > (best[d] ?? Infinity)) {
                best[d] = value;
                routing[out + d] = base + d;
              }
            }
          }
        }
        out += channels;
      }
    }
  }
  return routing;
}

// Routings by the dataId of the pooled input: a forward pass backpropagated once per target (tdhook's
// attribution engine) pools the same tensor every time, and only dy changes. Tensor data is immutable and
// dataIds are never reused, so a routing stays valid for as long as its dataId lives.
const routings = new WeakMap<object, { readonly key: string; readonly routing: Int32Array }>();

function routingFor(
  dataId: tf.DataId,
  read: () => Float32Array,
  info: tf.backend_util.Conv2DInfo,
): Int32Array {
  const key = JSON.stringify([
    info.inShape,
    info.outShape,
    info.strideHeight,
    info.strideWidth,
    info.padInfo,
    info.effectiveFilterHeight,
    info.effectiveFilterWidth,
    info.dilationHeight,
    info.dilationWidth,
  ]);
  const cached = routings.get(dataId);
  if (cached?.key === key) return cached.routing;
  const routing = maxPoolRouting(read(), info);
  routings.set(dataId, { key, routing });
  return routing;
}

function scatter(routing: Int32Array, dy: Float32Array, size: number): Float32Array {
  const dx = new Float32Array(size);
  for (let index = 0; index < routing.length; index++) {
    const at = routing[index] as number;
    if (at >= 0) dx[at] = (dx[at] as number) + (dy[index] as number);
  }
  return dx;
}

// A raw kernel: the gradient is a gather/scatter loop, cheaper in JS than any composite of tf ops.
const maxPoolGrad: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { dy, input } = inputs;
  if (dy === undefined || input?.shape.length !== 4) {
    throw new Error(`${kernelName}: needs dy and a rank-4 input.`);
  }
  const a = attrs as unknown as MaxPoolGradAttrs;
  const info = tf.backend_util.computePool2DInfo(
    input.shape as [number, number, number, number],
    a.filterSize,
    a.strides,
    1,
    a.pad,
    a.dimRoundingMode,
  );
  const owner = backend as DataStore;
  const routing = routingFor(input.dataId, () => owner.readSync(input.dataId) as Float32Array, info);
  const size = info.inShape.reduce((product, dim) => product * dim, 1);
  const dx = scatter(routing, owner.readSync(dy.dataId) as Float32Array, size);
  return { dataId: owner.write(dx, info.inShape, 'float32'), shape: info.inShape, dtype: 'float32' };
};

/**
 * An exact `MaxPoolGrad` for wasm. The builtin starts each window's maximum at `FLT_MIN`, so windows whose
 * values are all ≤ 0 get no gradient, and among ties it picks the last maximum where cpu picks the first.
 * This raw kernel reads `x` and `dy` and routes `dy` in JS with the cpu backend's semantics; it is also
 * faster than the builtin (2–4 ms against 6 ms for `[8,32,32,32]`, 2×2, stride 2). The routing is kept per
 * pooled tensor, so backpropagating one forward pass several times routes once.
 *
 * @example
 * const undo = wasmMaxPoolGradPatch.install('wasm');
 * const dx = tf.grad((x) => tf.sum(tf.maxPool(x, 2, 2, 'same')))(x0); // right even where x < 0
 * undo();
 */
export const wasmMaxPoolGradPatch: KernelPatch = {
  id: `wasm/${kernelName}`,
  backends: ['wasm'],
  kind: 'wrong-kernel',
  summary: 'maxPool gradient (wasm drops windows whose values are all <= 0), as an exact JS argmax loop',
  install: (backend) => registerKernelPatch({ kernelName, backendName: backend, kernelFunc: maxPoolGrad }),
  selfTest: {
    run: () => {
      // Mostly negative values: many 2x2 windows are all ≤ 0, which the builtin gets wrong.
      const x0 = tf.sub(sineTensor([1, 5, 5, 2], 0.2), 0.8);
      const c = sineTensor([1, 3, 3, 2], 0.5);
      return tf.grad((x) => tf.sum(tf.mul(tf.maxPool(x as tf.Tensor4D, 2, 2, 'same'), c)))(x0);
    },
  },
};
