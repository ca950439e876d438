import * as tf from '@tensorflow/tfjs-core';
import { findKernel } from '@tdhook/tfjs-internals';
import { describe, expect, inject, it } from 'vitest';

import { cpuValues, waveValues, withPatch, type Values } from '../../test/patch-test-support.js';
import type { KernelPatch } from './kernel-patch.js';
import { cpuUnsortedSegmentSumPatch, wasmUnsortedSegmentSumPatch } from './unsorted-segment-sum.js';

const backend = inject('tdhookBackend');
const patch: KernelPatch | undefined = [wasmUnsortedSegmentSumPatch, cpuUnsortedSegmentSumPatch].find((p) =>
  p.backends.includes(backend),
);

interface SegmentCase {
  readonly label: string;
  readonly x: number[];
  readonly ids: number[];
  readonly numSegments: number;
}

const segmentCases: readonly SegmentCase[] = [
  { label: 'matrix, repeated ids, an empty segment', x: [6, 3], ids: [0, 2, 2, 5, 0, 1], numSegments: 7 },
  { label: 'vector, one id three times', x: [6], ids: [3, 3, 3, 0, 1, 1], numSegments: 4 },
  { label: 'rank 3', x: [5, 2, 3], ids: [1, 0, 1, 1, 4], numSegments: 5 },
  { label: 'ids out of range are dropped', x: [5, 2], ids: [-1, 2, 7, 2, 0], numSegments: 3 },
  { label: 'no id in range', x: [2, 2], ids: [5, -3], numSegments: 3 },
];

const segmentSum = (c: SegmentCase): tf.Tensor =>
  tf.unsortedSegmentSum(tf.tensor(waveValues(c.x, 0.3), c.x), tf.tensor1d(c.ids, 'int32'), c.numSegments);

interface GatherCase {
  readonly label: string;
  readonly table: number[];
  readonly ids: number[];
  readonly idsShape: number[];
  readonly axis: number;
}

const gatherCases: readonly GatherCase[] = [
  { label: 'embedding rows', table: [7, 3], ids: [2, 5, 2, 2, 0, 6], idsShape: [6], axis: 0 },
  { label: 'rank-2 ids', table: [7, 3], ids: [1, 1, 3, 1], idsShape: [2, 2], axis: 0 },
  { label: 'axis 1', table: [4, 7, 2], ids: [6, 0, 6, 3], idsShape: [4], axis: 1 },
];

// L = sum(gather(table, ids) · w) is linear in the table: its gradient is UnsortedSegmentSum of w by id.
function embeddingLoss(c: GatherCase, table: tf.Tensor): tf.Tensor {
  const gathered = tf.gather(table, tf.tensor(c.ids, c.idsShape, 'int32'), c.axis);
  return tf.sum(tf.mul(gathered, tf.tensor(waveValues(gathered.shape, 0.9), gathered.shape)));
}

const embeddingGradient = (c: GatherCase): tf.Tensor =>
  tf.grad((table) => embeddingLoss(c, table))(tf.tensor(waveValues(c.table, 0.2), c.table));

describe.runIf(patch !== undefined)('UnsortedSegmentSum patch', () => {
  const installed = patch ?? wasmUnsortedSegmentSumPatch;

  it('matches the stock cpu kernel on repeated, out-of-range and missing ids', async () => {
    const references: Values[] = [];
    for (const c of segmentCases) references.push(await cpuValues(() => segmentSum(c)));
    withPatch(installed, backend, () => {
      segmentCases.forEach((c, i) => {
        const actual = tf.tidy(() => segmentSum(c));
        try {
          expect(actual, c.label).toBeCloseToTensor(references[i] ?? { shape: [], data: [] }, {
            rtol: 1e-5,
            atol: 1e-6,
          });
        } finally {
          actual.dispose();
        }
      });
    });
  });

  it('gives the gather (embedding) gradient: stock cpu values and finite differences', async () => {
    const references: Values[] = [];
    for (const c of gatherCases) references.push(await cpuValues(() => embeddingGradient(c)));
    withPatch(installed, backend, () => {
      gatherCases.forEach((c, i) => {
        const actual = tf.tidy(() => embeddingGradient(c));
        try {
          expect(actual, c.label).toBeCloseToTensor(references[i] ?? { shape: [], data: [] }, {
            rtol: 1e-5,
            atol: 1e-6,
          });
          const values = actual.dataSync();
          const h = 1e-2;
          for (const at of [0, Math.floor(values.length / 2), values.length - 1]) {
            const fd = tf.tidy(() => {
              const table = waveValues(c.table, 0.2);
              const shifted = (by: number): number =>
                embeddingLoss(
                  c,
                  tf.tensor(
                    table.map((v, j) => (j === at ? v + by : v)),
                    c.table,
                  ),
                ).dataSync()[0] ?? NaN;
              return (shifted(h) - shifted(-h)) / (2 * h);
            });
            expect(Math.abs(fd - (values[at] ?? NaN)), `${c.label} @${String(at)}`).toBeLessThan(2e-3);
          }
        } finally {
          actual.dispose();
        }
      });
    });
  });

  it('follows TF for rank-2 ids: they index the two leading dims of x', () => {
    // Plain-JS reference; the stock cpu kernel sums over the first dim only here.
    const x = waveValues([2, 3, 2], 0.5);
    const ids = [0, 1, 0, 2, 2, 1];
    const expected = new Array<number>(6).fill(0);
    ids.forEach((id, row) => {
      for (let k = 0; k < 2; k++) expected[id * 2 + k] = (expected[id * 2 + k] ?? 0) + (x[row * 2 + k] ?? 0);
    });
    withPatch(installed, backend, () => {
      const actual = tf.tidy(() =>
        tf.unsortedSegmentSum(
          tf.tensor(x, [2, 3, 2]),
          tf.tensor2d(ids, [2, 3], 'int32') as unknown as tf.Tensor1D,
          3,
        ),
      );
      try {
        expect(actual).toBeCloseToTensor({ shape: [3, 2], data: expected }, { rtol: 1e-6, atol: 1e-6 });
      } finally {
        actual.dispose();
      }
    });
  });

  it('puts the original kernel back on undo', () => {
    const original = findKernel('UnsortedSegmentSum', backend);
    const undo = installed.install(backend);
    expect(findKernel('UnsortedSegmentSum', backend)).not.toBe(original);
    undo();
    expect(findKernel('UnsortedSegmentSum', backend)).toBe(original);
  });
});
