import type {} from '@tdhook/testing/vitest';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

import { decodeImage, encodePng } from '../image/index.js';
import {
  attributionMap,
  colormapColor,
  colormaps,
  defaultClip,
  heatmap,
  heatmapRange,
  overlay,
} from './index.js';

function pixel(image: { width: number; data: Uint8Array }, x: number, y: number): number[] {
  const i = (y * image.width + x) * 4;
  return Array.from(image.data.subarray(i, i + 3));
}

describe('colormaps', () => {
  it('are 256-entry RGB tables whose ends are their first and last stops', () => {
    for (const lut of Object.values(colormaps)) expect(lut.length).toBe(768);
    expect(colormapColor('bwr', 0)).toEqual([0, 0, 255]);
    expect(colormapColor('bwr', 1)).toEqual([255, 0, 0]);
    expect(colormapColor('gray', 1)).toEqual([255, 255, 255]);
    expect(colormapColor('viridis', 0)).toEqual([0x44, 0x01, 0x54]);
  });
});

describe('attributionMap', () => {
  const attributionValues = [1, -2, 2, -3, 0, 4];

  it.each([
    ['sum', [1, 1]],
    ['abs-sum', [5, 7]],
    ['max-abs', [2, 4]],
    ['l2', [3, 5]],
    ['positive-sum', [1, 1]],
  ] as const)('reduces channels with %s', (reduce, expected) => {
    const attribution = tf.tensor3d(attributionValues, [1, 2, 3]);
    const map = attributionMap(attribution, { reduce });
    expect(map.shape).toEqual([1, 2]);
    expect(Array.from(map.dataSync())).toEqual(expected);
    tf.dispose([attribution, map]);
  });

  it('maps a batch NHWC → NHW and leaks nothing', () => {
    const batch = tf.tensor4d([...attributionValues, ...attributionValues.map((v) => -v)], [2, 1, 2, 3]);
    const before = tf.memory().numTensors;
    const map = attributionMap(batch, { reduce: 'positive-sum' });
    expect(map.shape).toEqual([2, 1, 2]);
    expect(Array.from(map.dataSync())).toEqual([1, 1, 0, 0]);
    map.dispose();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose(batch);
  });

  it('rejects a 2-D tensor', () => {
    const flat = tf.zeros([2, 2]);
    expect(() => attributionMap(flat)).toThrowTdhookError('E_CV_IMAGE', /HWC/);
    flat.dispose();
  });
});

describe('heatmap', () => {
  it('paints a signed map: 0 the middle colour, +max the last, −max the first', () => {
    const map = tf.tensor2d([[0, 2, -2, 1]]);
    const before = tf.memory().numTensors;
    const image = heatmap(map, { clip: false });
    expect(tf.memory().numTensors).toBe(before);
    map.dispose();
    expect([image.width, image.height]).toEqual([4, 1]);
    expect(image.signed).toBe(true);
    expect(image.range).toEqual([-2, 2]);
    expect(image.colormap).toBe('bwr');
    expect(pixel(image, 0, 0)).toEqual(colormapColor('bwr', 0.5));
    expect(pixel(image, 1, 0)).toEqual(colormapColor('bwr', 1));
    expect(pixel(image, 2, 0)).toEqual(colormapColor('bwr', 0));
    expect(pixel(image, 3, 0)).toEqual(colormapColor('bwr', 0.75));
  });

  it('paints a positive map from 0 (first colour) to max (last), with inferno by default', () => {
    const image = heatmap({ values: [0, 0.5, 1, 1], height: 2, width: 2 }, { clip: false });
    expect(image.signed).toBe(false);
    expect(image.range).toEqual([0, 1]);
    expect(pixel(image, 0, 0)).toEqual(colormapColor('inferno', 0));
    expect(pixel(image, 1, 1)).toEqual(colormapColor('inferno', 1));
  });

  it('clips outliers at the percentile and honours a given range and signed', () => {
    const values = Float32Array.from({ length: 1000 }, (_, i) => (i === 0 ? 1000 : (i % 10) - 4.5));
    const range = heatmapRange({ values, height: 10, width: 100 });
    expect(range.signed).toBe(true);
    expect(range.range[1]).toBeLessThan(10);
    expect(range.range[0]).toBe(-range.range[1]);
    const fixed = heatmap({ values: [0, 5], height: 1, width: 2 }, { range: [-10, 10], colormap: 'gray' });
    expect(fixed.range).toEqual([-10, 10]);
    expect(pixel(fixed, 1, 0)).toEqual(colormapColor('gray', 0.75));
    expect(heatmapRange({ values: [0, 0], height: 1, width: 2 }).range).toEqual([0, 1]);
  });

  it('sets the colour limit at the 99th percentile of |value| by default, as numpy interpolates it', () => {
    expect(defaultClip).toBe(99);
    const ramp = { values: Float32Array.from({ length: 101 }, (_, i) => i), height: 1, width: 101 }; // 0 … 100
    expect(heatmapRange(ramp).range).toEqual([0, 99]);
    expect(heatmapRange(ramp, { clip: 99.5 }).range).toEqual([0, 99.5]);
    expect(heatmapRange(ramp, { clip: 90 }).range).toEqual([0, 90]);
    // The maximum scale, for those who want it.
    expect(heatmapRange(ramp, { clip: false }).range).toEqual([0, 100]);
    expect(heatmapRange(ramp, { clip: 100 }).range).toEqual([0, 100]);
    // Signed: symmetric, from the magnitudes 0, 1, 1, 2, 2, …, 100, 100 (index 198 of 200 is 99).
    const signed = { values: Float32Array.from({ length: 201 }, (_, i) => i - 100), height: 1, width: 201 };
    expect(heatmapRange(signed).range).toEqual([-99, 99]);
    // Values past the limit take the extreme colour; the limit itself too.
    const image = heatmap(ramp);
    expect(pixel(image, 99, 0)).toEqual(colormapColor('inferno', 1));
    expect(pixel(image, 100, 0)).toEqual(colormapColor('inferno', 1));
    expect(pixel(image, 0, 0)).toEqual(colormapColor('inferno', 0));
  });

  it('lets one outlier not wash out the rest: a typical value keeps a visible colour', () => {
    // 999 values of 1, one of 1000: with the maximum scale 1 is 0.1 % of the way, with the default 100 %.
    const values = Float32Array.from({ length: 1000 }, (_, i) => (i === 0 ? 1000 : 1));
    const map = { values, height: 10, width: 100 };
    expect(heatmapRange(map).range).toEqual([0, 1]);
    expect(heatmapRange(map, { clip: false }).range).toEqual([0, 1000]);
    // The overlay uses the same limit: a value of 1 is painted at full strength (alpha 1).
    const photo = { width: 100, height: 10, data: new Uint8Array(4000).fill(255) };
    const blended = overlay(photo, map, { alpha: 1, resize: 'nearest' });
    expect(Array.from(blended.data.subarray(4, 7))).toEqual(colormapColor('inferno', 1));
    const maxScaled = overlay(photo, map, { alpha: 1, resize: 'nearest', clip: false });
    expect(Array.from(maxScaled.data.subarray(4, 7))).toEqual([255, 255, 255]);
  });

  it('encodes to a PNG of the map size whose colours span the colour map', () => {
    const values = Float32Array.from({ length: 32 * 24 }, (_, i) => Math.sin(i / 37) * (i % 32));
    const decoded = decodeImage(
      encodePng(heatmap({ values, height: 24, width: 32 }, { colormap: 'coolwarm' })),
    );
    expect([decoded.width, decoded.height]).toEqual([32, 24]);
    const lut = colormaps.coolwarm;
    const allowed = new Set(
      Array.from({ length: 256 }, (_, i) => `${lut[i * 3]},${lut[i * 3 + 1]},${lut[i * 3 + 2]}`),
    );
    for (let p = 0; p < 32 * 24; p++) {
      expect(allowed.has(pixel(decoded, p % 32, Math.floor(p / 32)).join(','))).toBe(true);
      expect(decoded.data[p * 4 + 3]).toBe(255);
    }
    const reds = Array.from({ length: 32 * 24 }, (_, p) => decoded.data[p * 4] ?? 0);
    expect(Math.max(...reds) - Math.min(...reds)).toBeGreaterThan(100);
  });

  it('rejects a map that is not 2-D and a bad range', () => {
    const cube = tf.zeros([2, 2, 3]);
    expect(() => heatmap(cube)).toThrowTdhookError('E_CV_IMAGE', /2-D.*attributionMap/);
    cube.dispose();
    expect(() => heatmap({ values: [1], height: 1, width: 1 }, { range: [1, 1] })).toThrowTdhookError(
      'E_CV_IMAGE',
      /range/,
    );
    expect(() => heatmap({ values: [1, 2], height: 1, width: 1 })).toThrowTdhookError(
      'E_CV_IMAGE',
      /needs 1 values/,
    );
  });
});
