import * as tf from '@tensorflow/tfjs-core';
import type { CompositeInputs } from '@tdhook/tfjs-internals';

/**
 * Padding as tfjs conv and pooling kernels receive it in their attrs.
 *
 * @example
 * const pad: ConvPadding = [[0, 0], [1, 2], [2, 0], [0, 0]];
 */
export type ConvPadding = 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;

/**
 * How tfjs rounds output sizes when `pad` is a number.
 *
 * @example
 * const mode: DimRoundingMode = 'ceil';
 */
export type DimRoundingMode = 'floor' | 'round' | 'ceil';

/**
 * A rank-4 input of a composite kernel, or a clear error naming the kernel.
 *
 * @example
 * const dy = input4D(inputs, 'dy', 'Conv2DBackpropInput');
 */
export function input4D(inputs: CompositeInputs, name: string, kernelName: string): tf.Tensor4D {
  const tensor = inputs[name];
  if (tensor?.rank !== 4) {
    throw new Error(`${kernelName}: input '${name}' must be a rank-4 tensor.`);
  }
  return tensor as tf.Tensor4D;
}

/**
 * A tensor ready for a convolution: cropped where the wanted padding is negative, with the rest of the
 * padding left to the convolution (XNNPACK pads without a copy).
 *
 * @example
 * const { input, pad } = padSpatially(x, [1, -2], [0, 3]);
 * const y = tf.conv2d(input, w, 1, pad);
 */
export interface PaddedInput {
  readonly input: tf.Tensor4D;
  readonly pad: tf.backend_util.ExplicitPadding;
}

/**
 * Pads (positive amounts) or crops (negative amounts) the height and width of an NHWC tensor, returning the
 * padding as explicit conv padding when nothing needs cropping.
 *
 * @example
 * const { input, pad } = padSpatially(dy, [2, 2], [2, 2]); // nothing copied: pad is [[0,0],[2,2],[2,2],[0,0]]
 */
export function padSpatially(
  x: tf.Tensor4D,
  [top, bottom]: readonly [number, number],
  [left, right]: readonly [number, number],
): PaddedInput {
  if (top >= 0 && bottom >= 0 && left >= 0 && right >= 0) {
    return {
      input: x,
      pad: [
        [0, 0],
        [top, bottom],
        [left, right],
        [0, 0],
      ],
    };
  }
  // Pad first, then crop: the slice stays in bounds even when one side pads and the other crops.
  const positive = (amount: number): number => Math.max(0, amount);
  const padded = tf.pad(x, [
    [0, 0],
    [positive(top), positive(bottom)],
    [positive(left), positive(right)],
    [0, 0],
  ]);
  const [n, h, w, c] = padded.shape;
  const input = tf.slice(
    padded,
    [0, positive(-top), positive(-left), 0],
    [n, h - positive(-top) - positive(-bottom), w - positive(-left) - positive(-right), c],
  );
  return {
    input,
    pad: [
      [0, 0],
      [0, 0],
      [0, 0],
      [0, 0],
    ],
  };
}

/**
 * `x` padded (or cropped) to exactly the rows and columns the windows of a forward convolution read:
 * `(out - 1)·stride + effective filter size`, starting at the forward padding. Filter gradients need this
 * size so that a correlation with `dy` yields exactly the filter's taps.
 *
 * @example
 * const info = tf.backend_util.computeConv2DInfo(x.shape, [3, 3, 4, 8], 2, 1, 'same');
 * const { input, pad } = windowPadding(x, info);
 */
export function windowPadding(x: tf.Tensor4D, info: tf.backend_util.Conv2DInfo): PaddedInput {
  const rows = (info.outHeight - 1) * info.strideHeight + info.effectiveFilterHeight;
  const cols = (info.outWidth - 1) * info.strideWidth + info.effectiveFilterWidth;
  const { top, left } = info.padInfo;
  return padSpatially(x, [top, rows - top - info.inHeight], [left, cols - left - info.inWidth]);
}

/**
 * `dy` prepared for an input gradient: zero-dilated by the forward stride and padded by
 * `effective filter size − 1 − forward padding` (cropped where negative), so that a stride-1 correlation
 * with the spatially flipped filter, dilated like the forward filter, yields `dx` of the input's size.
 *
 * @example
 * const info = tf.backend_util.computeConv2DInfo([1, 7, 7, 4], w.shape, 2, 1, 'same');
 * const { input, pad } = transposedConvInput(dy, info);
 * const dx = tf.conv2d(input, tf.transpose(tf.reverse(w, [0, 1]), [0, 1, 3, 2]), 1, pad);
 */
export function transposedConvInput(dy: tf.Tensor4D, info: tf.backend_util.Conv2DInfo): PaddedInput {
  const [n, oh, ow, c] = dy.shape;
  const { strideHeight: sh, strideWidth: sw } = info;
  // Each dy row (column) is followed by stride − 1 zero rows: a pad of an [n, oh, 1, ow, 1, c] view.
  const spread =
    sh === 1 && sw === 1
      ? dy
      : tf.reshape<tf.Rank.R4>(
          tf.pad(tf.reshape(dy, [n, oh, 1, ow, 1, c]), [
            [0, 0],
            [0, 0],
            [0, sh - 1],
            [0, 0],
            [0, sw - 1],
            [0, 0],
          ]),
          [n, oh * sh, ow * sw, c],
        );
  const top = info.effectiveFilterHeight - 1 - info.padInfo.top;
  const left = info.effectiveFilterWidth - 1 - info.padInfo.left;
  const bottom = info.inHeight + info.effectiveFilterHeight - 1 - top - oh * sh;
  const right = info.inWidth + info.effectiveFilterWidth - 1 - left - ow * sw;
  return padSpatially(spread, [top, bottom], [left, right]);
}

/**
 * NCHW to NHWC (or back with `inverse`), the layout the composite conv kernels compute in.
 *
 * @example
 * const nhwc = toChannelsLast(x); // [n, c, h, w] -> [n, h, w, c]
 */
export function toChannelsLast(x: tf.Tensor4D, inverse = false): tf.Tensor4D {
  return tf.transpose(x, inverse ? [0, 3, 1, 2] : [0, 2, 3, 1]);
}

/**
 * Deterministic test values in (−1, 1) from `Math.sin`, for self-tests that must not depend on a random
 * generator.
 *
 * @example
 * const x = sineTensor([1, 5, 5, 2], 0.3);
 */
export function sineTensor(shape: readonly number[], phase: number): tf.Tensor {
  const size = shape.reduce((product, dim) => product * dim, 1);
  return tf.tensor(
    Array.from({ length: size }, (_, i) => Math.sin(1.37 * i + phase)),
    [...shape],
    'float32',
  );
}
