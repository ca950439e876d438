import * as tf from '@tensorflow/tfjs-core';
import { findKernel } from '@tdhook/tfjs-internals';
import { runKernel } from '@tdhook/tfjs-internals/testing';
import { describe, expect, inject, it } from 'vitest';

import { cpuValues, size, wave, withPatch, type Values } from '../../test/patch-test-support.js';
import { cpuConv2DBackpropFilterPatch, wasmConv2DBackpropFilterPatch } from './conv2d-backprop-filter.js';
import { wasmConv2DBackpropInputPatch } from './conv2d-backprop-input.js';
import type { KernelPatch } from './kernel-patch.js';

const backend = inject('tdhookBackend');

type Shape4D = [number, number, number, number];
type Padding = 'same' | 'valid' | tf.backend_util.ExplicitPadding;

interface ConvCase {
  readonly label: string;
  readonly x: Shape4D;
  readonly w: Shape4D;
  readonly y: Shape4D;
  readonly strides: number | [number, number];
  readonly pad: Padding;
}

const explicit: tf.backend_util.ExplicitPadding = [
  [0, 0],
  [1, 2],
  [2, 0],
  [0, 0],
];

function convCase(
  k: number,
  strides: number | [number, number],
  pad: Padding,
  batch: number,
  channels: number,
): ConvCase {
  const x: Shape4D = [batch, 7, 8, channels];
  const w: Shape4D = [k, k, channels, channels === 1 ? 3 : 2];
  const info = tf.backend_util.computeConv2DInfo(x, w, strides, 1, pad);
  const padLabel = typeof pad === 'string' ? pad : 'explicit';
  const label = `k${k} s${String(strides)} ${padLabel} n${batch} c${channels}`;
  return { label, x, w, y: info.outShape, strides, pad };
}

const paddings: readonly Padding[] = ['same', 'valid', explicit];
const grid = (pad: Padding): ConvCase[] =>
  [1, 3, 5].flatMap((k) =>
    [1, 2, [2, 3] as [number, number]].flatMap((strides) =>
      [1, 3].flatMap((batch) => [1, 4].map((channels) => convCase(k, strides, pad, batch, channels))),
    ),
  );

type Wrt = 'x' | 'w';

// L = sum(conv2d(x, w) · c), a bilinear form: its gradients are exactly the two backprop kernels.
function loss(c: ConvCase, x: tf.Tensor, w: tf.Tensor): tf.Tensor {
  const y = tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, c.strides, c.pad);
  return tf.sum(tf.mul(y, wave(c.y, 0.7)));
}

function gradient(c: ConvCase, wrt: Wrt): tf.Tensor {
  const x = wave(c.x, 0.1);
  const w = wave(c.w, 0.4);
  return wrt === 'x' ? tf.grad((v) => loss(c, v, w))(x) : tf.grad((v) => loss(c, x, v))(w);
}

/** Central differences of the loss at a few coordinates of the differentiated argument (float32, h = 1e-2). */
function finiteDifferences(c: ConvCase, wrt: Wrt, coordinates: readonly number[]): number[] {
  const h = 1e-2;
  return coordinates.map((at) =>
    tf.tidy(() => {
      const shape = wrt === 'x' ? c.x : c.w;
      const base = wave(shape, wrt === 'x' ? 0.1 : 0.4);
      const bump = tf.tensor(
        Array.from({ length: size(shape) }, (_, i) => (i === at ? h : 0)),
        [...shape],
      );
      const other = wave(wrt === 'x' ? c.w : c.x, wrt === 'x' ? 0.4 : 0.1);
      const value = (v: tf.Tensor): number =>
        (wrt === 'x' ? loss(c, v, other) : loss(c, other, v)).dataSync()[0] ?? NaN;
      return (value(tf.add(base, bump)) - value(tf.sub(base, bump))) / (2 * h);
    }),
  );
}

function expectFiniteDifferences(c: ConvCase, wrt: Wrt, actual: tf.Tensor): void {
  const values = actual.dataSync();
  const coordinates = [0, Math.floor(values.length / 2), values.length - 1];
  finiteDifferences(c, wrt, coordinates).forEach((fd, j) => {
    const analytic = values[coordinates[j] ?? 0] ?? NaN;
    expect(Math.abs(fd - analytic), `${c.label} @${String(coordinates[j])}`).toBeLessThan(
      1e-2 + 1e-2 * Math.abs(fd),
    );
  });
}

const kernelPatches: readonly { readonly patch: KernelPatch; readonly wrt: Wrt; readonly kernel: string }[] =
  [
    { patch: wasmConv2DBackpropFilterPatch, wrt: 'w', kernel: 'Conv2DBackpropFilter' },
    { patch: cpuConv2DBackpropFilterPatch, wrt: 'w', kernel: 'Conv2DBackpropFilter' },
    { patch: wasmConv2DBackpropInputPatch, wrt: 'x', kernel: 'Conv2DBackpropInput' },
  ];

describe.each(kernelPatches.filter(({ patch }) => patch.backends.includes(backend)))(
  '$patch.id',
  ({ patch, wrt, kernel }) => {
    it.each(paddings.map((pad) => ({ pad, name: typeof pad === 'string' ? pad : 'explicit' })))(
      'matches the stock cpu kernel and finite differences, $name padding',
      async ({ pad }) => {
        const cases = grid(pad);
        const references: Values[] = [];
        for (const c of cases) references.push(await cpuValues(() => gradient(c, wrt)));
        withPatch(patch, backend, () => {
          cases.forEach((c, i) => {
            const actual = tf.tidy(() => gradient(c, wrt));
            try {
              expect(actual, c.label).toBeCloseToTensor(references[i] ?? { shape: [], data: [] }, {
                rtol: 1e-4,
                atol: 1e-5,
              });
              expectFiniteDifferences(c, wrt, actual);
            } finally {
              actual.dispose();
            }
          });
        });
      },
    );

    it('handles NCHW inputs and numeric padding with ceil rounding like the stock cpu kernel', async () => {
      // pad 1, 3x3, stride 2 on 8 rows with 'ceil': the last window reaches past the bottom padding.
      const run = (dataFormat: 'NHWC' | 'NCHW'): tf.Tensor => {
        const layout = (shape: Shape4D): Shape4D =>
          dataFormat === 'NHWC' ? shape : [shape[0], shape[3], shape[1], shape[2]];
        const attrs = { strides: 2, pad: 1, dataFormat, dimRoundingMode: 'ceil' } as const;
        return wrt === 'w'
          ? runKernel(
              kernel,
              { x: wave(layout([2, 8, 7, 3]), 0.1), dy: wave(layout([2, 5, 4, 2]), 0.7) },
              {
                ...attrs,
                filterShape: [3, 3, 3, 2],
              },
            )
          : runKernel(
              kernel,
              { dy: wave(layout([2, 5, 4, 2]), 0.7), filter: wave([3, 3, 3, 2], 0.4) },
              {
                ...attrs,
                inputShape: layout([2, 8, 7, 3]),
              },
            );
      };
      for (const dataFormat of ['NHWC', 'NCHW'] as const) {
        const reference = await cpuValues(() => run(dataFormat));
        withPatch(patch, backend, () => {
          const actual = tf.tidy(() => run(dataFormat));
          try {
            expect(actual, dataFormat).toBeCloseToTensor(reference, { rtol: 1e-4, atol: 1e-5 });
          } finally {
            actual.dispose();
          }
        });
      }
    });

    it('puts the original kernel back on undo', () => {
      const original = findKernel(kernel, backend);
      const undo = patch.install(backend);
      expect(findKernel(kernel, backend)).not.toBe(original);
      undo();
      expect(findKernel(kernel, backend)).toBe(original);
    });
  },
);
