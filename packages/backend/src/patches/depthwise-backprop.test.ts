import * as tf from '@tensorflow/tfjs-core';
import { findKernel } from '@tdhook/tfjs-internals';
import { runKernel } from '@tdhook/tfjs-internals/testing';
import { describe, expect, inject, it } from 'vitest';

import { cpuValues, size, wave, withPatch, type Values } from '../../test/patch-test-support.js';
import { wasmDepthwiseBackpropFilterPatch, wasmDepthwiseBackpropInputPatch } from './depthwise-backprop.js';
import type { KernelPatch } from './kernel-patch.js';

const backend = inject('tdhookBackend');

type Shape4D = [number, number, number, number];
type Padding = 'same' | 'valid' | tf.backend_util.ExplicitPadding;

interface DepthwiseCase {
  readonly label: string;
  readonly x: Shape4D;
  readonly w: Shape4D;
  readonly y: Shape4D;
  readonly strides: number | [number, number];
  readonly pad: Padding;
  readonly dilation: number;
}

const explicit: tf.backend_util.ExplicitPadding = [
  [0, 0],
  [1, 2],
  [2, 0],
  [0, 0],
];

function depthwiseCase(
  k: number,
  strides: number | [number, number],
  pad: Padding,
  batch: number,
  channels: number,
  multiplier: number,
  dilation = 1,
): DepthwiseCase {
  const x: Shape4D = [batch, 7, 8, channels];
  const w: Shape4D = [k, k, channels, multiplier];
  const info = tf.backend_util.computeConv2DInfo(x, w, strides, dilation, pad, undefined, true);
  const padLabel = typeof pad === 'string' ? pad : 'explicit';
  const label = `k${k} s${String(strides)} d${dilation} ${padLabel} n${batch} c${channels} m${multiplier}`;
  return { label, x, w, y: info.outShape, strides, pad, dilation };
}

const paddings: readonly Padding[] = ['same', 'valid', explicit];
const grid = (pad: Padding): DepthwiseCase[] =>
  [1, 3, 5].flatMap((k) =>
    [1, 2, [2, 3] as [number, number]].flatMap((strides) =>
      [1, 3].flatMap((batch) =>
        [1, 4].flatMap((channels) => [1, 2].map((m) => depthwiseCase(k, strides, pad, batch, channels, m))),
      ),
    ),
  );

type Wrt = 'x' | 'w';

// L = sum(depthwiseConv2d(x, w) · c) is bilinear: its gradients are exactly the two backprop kernels.
function loss(c: DepthwiseCase, x: tf.Tensor, w: tf.Tensor): tf.Tensor {
  const y = tf.depthwiseConv2d(x as tf.Tensor4D, w as tf.Tensor4D, c.strides, c.pad, 'NHWC', c.dilation);
  return tf.sum(tf.mul(y, wave(c.y, 0.7)));
}

function gradient(c: DepthwiseCase, wrt: Wrt): tf.Tensor {
  const x = wave(c.x, 0.1);
  const w = wave(c.w, 0.4);
  return wrt === 'x' ? tf.grad((v) => loss(c, v, w))(x) : tf.grad((v) => loss(c, x, v))(w);
}

/** Central differences of the loss at a few coordinates of the differentiated argument (float32, h = 1e-2). */
function finiteDifferences(c: DepthwiseCase, wrt: Wrt, coordinates: readonly number[]): number[] {
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

function expectFiniteDifferences(c: DepthwiseCase, wrt: Wrt, actual: tf.Tensor): void {
  const values = actual.dataSync();
  const coordinates = [0, Math.floor(values.length / 2), values.length - 1];
  finiteDifferences(c, wrt, coordinates).forEach((fd, j) => {
    const analytic = values[coordinates[j] ?? 0] ?? NaN;
    expect(Math.abs(fd - analytic), `${c.label} @${String(coordinates[j])}`).toBeLessThan(
      1e-2 + 1e-2 * Math.abs(fd),
    );
  });
}

// A filter dilated by `d` equals the undilated filter with d − 1 zero taps between its taps.
function zeroStuffed(w: tf.Tensor4D, d: number): tf.Tensor4D {
  const [fh, fw, c, m] = w.shape;
  const stuffed = tf.pad(tf.reshape(w, [fh, 1, fw, 1, c, m]), [
    [0, 0],
    [0, d - 1],
    [0, 0],
    [0, d - 1],
    [0, 0],
    [0, 0],
  ]);
  const full = tf.reshape<tf.Rank.R4>(stuffed, [fh * d, fw * d, c, m]);
  return tf.slice(full, [0, 0, 0, 0], [(fh - 1) * d + 1, (fw - 1) * d + 1, c, m]);
}

const kernelPatches: readonly { readonly patch: KernelPatch; readonly wrt: Wrt; readonly kernel: string }[] =
  [
    { patch: wasmDepthwiseBackpropInputPatch, wrt: 'x', kernel: 'DepthwiseConv2dNativeBackpropInput' },
    { patch: wasmDepthwiseBackpropFilterPatch, wrt: 'w', kernel: 'DepthwiseConv2dNativeBackpropFilter' },
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

    it('computes dilation 2 exactly (the stock cpu kernel ignores dilations)', async () => {
      const cases = paddings.flatMap((pad) =>
        [1, 3].map((batch) => depthwiseCase(3, 1, pad, batch, 3, 2, 2)),
      );
      for (const c of cases) {
        // Reference: the stock cpu kernel with the zero-stuffed, undilated filter.
        const reference = await cpuValues(() => {
          const w = wave(c.w, 0.4) as tf.Tensor4D;
          const stuffed = zeroStuffed(w, 2);
          const attrs = { strides: 1, pad: c.pad, dilations: 1 };
          if (wrt === 'x') {
            const dy = wave(c.y, 0.7);
            return runKernel(kernel, { dy, filter: stuffed }, { ...attrs, inputShape: c.x });
          }
          const taps: tf.Tensor = runKernel(
            kernel,
            { x: wave(c.x, 0.1), dy: wave(c.y, 0.7) },
            { ...attrs, filterShape: stuffed.shape },
          );
          return tf.stridedSlice(taps, [0, 0, 0, 0], [...stuffed.shape], [2, 2, 1, 1]);
        });
        withPatch(patch, backend, () => {
          const attrs = { strides: 1, pad: c.pad, dilations: 2 };
          const actual = tf.tidy((): tf.Tensor =>
            wrt === 'x'
              ? runKernel(
                  kernel,
                  { dy: wave(c.y, 0.7), filter: wave(c.w, 0.4) },
                  { ...attrs, inputShape: c.x },
                )
              : runKernel(kernel, { x: wave(c.x, 0.1), dy: wave(c.y, 0.7) }, { ...attrs, filterShape: c.w }),
          );
          try {
            expect(actual, c.label).toBeCloseToTensor(reference, { rtol: 1e-4, atol: 1e-5 });
            expectFiniteDifferences(c, wrt, actual);
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

describe('depthwise backprop patches', () => {
  it('apply to wasm only (cpu has stock kernels, exact without dilation)', () => {
    for (const { patch } of kernelPatches) expect(patch.backends).toEqual(['wasm']);
  });
});

describe.runIf(wasmDepthwiseBackpropFilterPatch.backends.includes(backend))(
  'wasm depthwise filter gradient',
  () => {
    it('rejects strides and dilations both > 1 with a clear error (the forward op rejects them too)', () => {
      const x = wave([1, 9, 9, 2], 0.1);
      const dy = wave([1, 3, 3, 2], 0.7);
      try {
        withPatch(wasmDepthwiseBackpropFilterPatch, backend, () => {
          expect(() =>
            runKernel(
              'DepthwiseConv2dNativeBackpropFilter',
              { x, dy },
              { strides: 2, dilations: 2, pad: 'valid', filterShape: [3, 3, 2, 1] },
            ),
          ).toThrow(/strides and dilations cannot both be greater than 1/);
        });
      } finally {
        tf.dispose([x, dy]);
      }
    });
  },
);
