import * as tf from '@tensorflow/tfjs-core';
import { findKernel } from '@tdhook/tfjs-internals';
import { runKernel } from '@tdhook/tfjs-internals/testing';
import { describe, expect, inject, it } from 'vitest';

import { cpuValues, size, wave, withPatch, type Values } from '../../test/patch-test-support.js';
import { wasmMaxPoolGradPatch } from './max-pool-grad.js';

const backend = inject('tdhookBackend');
const applies = wasmMaxPoolGradPatch.backends.includes(backend);

type Shape4D = [number, number, number, number];
type Padding = 'same' | 'valid' | tf.backend_util.ExplicitPadding;

/** How the input values are laid out: distinct (a permutation, 0.05 apart), all negative, or with ties. */
type Data = 'mixed' | 'negative' | 'ties';

interface PoolCase {
  readonly label: string;
  readonly x: Shape4D;
  readonly y: Shape4D;
  readonly k: number;
  readonly strides: number | [number, number];
  readonly pad: Padding;
  readonly data: Data;
}

// Distinct values 0.05 apart keep central differences with h = 1e-2 on one linear piece of the max.
function inputValues(c: PoolCase): number[] {
  const n = size(c.x);
  const permuted = Array.from({ length: n }, (_, i) => ((i * 7919) % n) * 0.05);
  switch (c.data) {
    case 'mixed':
      return permuted.map((v) => v - n * 0.025);
    case 'negative':
      return permuted.map((v) => -0.1 - v);
    case 'ties':
      return permuted.map((_, i) => Math.max(0, Math.round(2 * Math.sin(1.37 * i))));
  }
}

const explicit: tf.backend_util.ExplicitPadding = [
  [0, 0],
  [1, 0],
  [0, 1],
  [0, 0],
];

function poolCase(
  k: number,
  strides: number | [number, number],
  pad: Padding,
  batch: number,
  channels: number,
  data: Data,
): PoolCase {
  const x: Shape4D = [batch, 7, 8, channels];
  const info = tf.backend_util.computePool2DInfo(x, k, strides, 1, pad);
  const padLabel = typeof pad === 'string' ? pad : 'explicit';
  return {
    label: `k${k} s${String(strides)} ${padLabel} n${batch} c${channels} ${data}`,
    x,
    y: info.outShape,
    k,
    strides,
    pad,
    data,
  };
}

const grid = (data: Data): PoolCase[] =>
  [1, 2, 3, 5].flatMap((k) =>
    [1, 2, [2, 3] as [number, number]].flatMap((strides) =>
      (['same', 'valid', explicit] as const).flatMap((pad) =>
        [1, 3].flatMap((batch) => [1, 4].map((channels) => poolCase(k, strides, pad, batch, channels, data))),
      ),
    ),
  );

function loss(c: PoolCase, x: tf.Tensor): tf.Tensor {
  return tf.sum(tf.mul(tf.maxPool(x as tf.Tensor4D, c.k, c.strides, c.pad), wave(c.y, 0.7)));
}

const gradient = (c: PoolCase): tf.Tensor => tf.grad((x) => loss(c, x))(tf.tensor(inputValues(c), c.x));

// Windows entirely in the padding (1x1 windows, explicit padding) have no finite forward value on cpu,
// and the stock wasm maxPool returns garbage for them; the loss has no usable differences there.
function windowsInPadding(c: PoolCase): boolean {
  const { top, bottom, left, right } = tf.backend_util.computePool2DInfo(
    c.x,
    c.k,
    c.strides,
    1,
    c.pad,
  ).padInfo;
  return Math.max(top, bottom, left, right) >= c.k;
}

function expectFiniteDifferences(c: PoolCase, actual: tf.Tensor): void {
  const h = 1e-2;
  const values = actual.dataSync();
  for (const at of [0, Math.floor(values.length / 2), values.length - 1]) {
    const fd = tf.tidy(() => {
      const x = inputValues(c);
      const shifted = (by: number): number =>
        loss(
          c,
          tf.tensor(
            x.map((v, i) => (i === at ? v + by : v)),
            c.x,
          ),
        ).dataSync()[0] ?? NaN;
      return (shifted(h) - shifted(-h)) / (2 * h);
    });
    expect(Math.abs(fd - (values[at] ?? NaN)), `${c.label} @${String(at)}`).toBeLessThan(1e-2);
  }
}

describe.runIf(applies)('wasm/MaxPoolGrad', () => {
  it.each(['mixed', 'negative', 'ties'] as const)(
    'matches the stock cpu kernel (and finite differences where values are distinct), %s values',
    async (data) => {
      const cases = grid(data);
      const references: Values[] = [];
      for (const c of cases) references.push(await cpuValues(() => gradient(c)));
      withPatch(wasmMaxPoolGradPatch, backend, () => {
        cases.forEach((c, i) => {
          const actual = tf.tidy(() => gradient(c));
          try {
            expect(actual, c.label).toBeCloseToTensor(references[i] ?? { shape: [], data: [] }, {
              rtol: 1e-4,
              atol: 1e-6,
            });
            if (data !== 'ties' && !windowsInPadding(c)) expectFiniteDifferences(c, actual);
          } finally {
            actual.dispose();
          }
        });
      });
    },
  );

  it('fixes windows whose values are all <= 0, which the stock wasm kernel drops', async () => {
    const c = poolCase(2, 2, 'valid', 1, 2, 'negative');
    const reference = await cpuValues(() => gradient(c));
    const stock = tf.tidy(() => gradient(c));
    const patched = withPatch(wasmMaxPoolGradPatch, backend, () => tf.tidy(() => gradient(c)));
    try {
      expect(stock).not.toBeCloseToTensor(reference, { atol: 1e-3 });
      expect(patched).toBeCloseToTensor(reference, { rtol: 1e-6, atol: 0 });
    } finally {
      tf.dispose([stock, patched]);
    }
  });

  it('routes one pooled tensor once and reuses it for every dy, and a new tensor anew', async () => {
    const c = poolCase(2, 2, 'valid', 2, 3, 'mixed');
    const x = tf.tensor(inputValues(c), c.x);
    const other = tf.neg(x); // same shape, other maxima
    const dys = [wave(c.y, 0.7), wave(c.y, 2.1)];
    const run = (input: tf.Tensor, dy: tf.Tensor): tf.Tensor =>
      runKernel(
        'MaxPoolGrad',
        { dy, input, output: tf.maxPool(input as tf.Tensor4D, 2, 2, 'valid') },
        {
          filterSize: 2,
          strides: 2,
          pad: 'valid',
        },
      );
    const pairs = [
      [x, dys[0]],
      [x, dys[1]],
      [other, dys[1]],
    ] as const;
    const references: Values[] = [];
    for (const [input, dy] of pairs) {
      const xValues = Array.from(input.dataSync());
      const dyValues = Array.from((dy as tf.Tensor).dataSync());
      references.push(
        await cpuValues(() =>
          tf.grad((v: tf.Tensor) =>
            tf.sum(tf.mul(tf.maxPool(v as tf.Tensor4D, 2, 2, 'valid'), tf.tensor(dyValues, c.y))),
          )(tf.tensor(xValues, c.x)),
        ),
      );
    }
    withPatch(wasmMaxPoolGradPatch, backend, () => {
      pairs.forEach(([input, dy], index) => {
        const actual = tf.tidy(() => run(input, dy as tf.Tensor));
        expect(actual, `pair ${String(index)}`).toBeCloseToTensor(
          references[index] ?? { shape: [], data: [] },
          {
            rtol: 1e-6,
            atol: 0,
          },
        );
        actual.dispose();
      });
    });
    tf.dispose([x, other, ...dys]);
  });

  it('puts the original kernel back on undo', () => {
    const original = findKernel('MaxPoolGrad', backend);
    const undo = wasmMaxPoolGradPatch.install(backend);
    expect(findKernel('MaxPoolGrad', backend)).not.toBe(original);
    undo();
    expect(findKernel('MaxPoolGrad', backend)).toBe(original);
  });
});

describe('wasm/MaxPoolGrad scope', () => {
  it('applies to wasm only (the cpu kernel is exact)', () => {
    expect(wasmMaxPoolGradPatch.backends).toEqual(['wasm']);
  });
});
