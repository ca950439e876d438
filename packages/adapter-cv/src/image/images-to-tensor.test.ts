import { join } from 'node:path';

import * as tf from '@tensorflow/tfjs-core';
// The typed tdhook matchers (toThrowTdhookError); the shared setup registers them at run time.
import type {} from '@tdhook/testing/vitest';
import { describe, expect, it } from 'vitest';

import {
  imagesToTensor,
  normalisations,
  readImageBatch,
  tensorToImage,
  type NormalisationName,
} from './index.js';
import { createImage, type RgbaImage } from './rgba-image.js';

const photos = new URL('../../../cv-assets/photos/', import.meta.url).pathname;

/** A 4×2 image: left half red-ish (200, 100, 50), right half white. */
function halves(): RgbaImage {
  const image = createImage(4, 2);
  for (const x of [0, 1]) for (const y of [0, 1]) image.data.set([200, 100, 50, 255], (y * 4 + x) * 4);
  return image;
}

function valuesOf(tensor: tf.Tensor): number[] {
  const values = Array.from(tensor.dataSync());
  tensor.dispose();
  return values;
}

describe('imagesToTensor', () => {
  it.each([
    ['raw', [200, 100, 50]],
    ['unit', [200 / 255, 100 / 255, 50 / 255]],
    ['symmetric', [200 / 127.5 - 1, 100 / 127.5 - 1, 50 / 127.5 - 1]],
    ['imagenet', [(200 / 255 - 0.485) / 0.229, (100 / 255 - 0.456) / 0.224, (50 / 255 - 0.406) / 0.225]],
  ] as const)('normalises with the %s preset', (name: NormalisationName, expected) => {
    const x = imagesToTensor([halves()], { normalisation: name });
    expect(x.shape).toEqual([1, 2, 4, 3]);
    expect(x.dtype).toBe('float32');
    const values = valuesOf(x);
    values.slice(0, 3).forEach((value, c) => {
      expect(value).toBeCloseTo(expected[c] ?? NaN, 5);
    });
  });

  it('takes a custom { scale, mean, std } and inverts before normalising', () => {
    const custom = { scale: 1, mean: [100, 0, 0], std: 2 };
    const values = valuesOf(imagesToTensor([halves()], { normalisation: custom, invert: true }));
    expect(values.slice(0, 3)).toEqual([(55 - 100) / 2, 155 / 2, 205 / 2]);
  });

  it('makes grey inputs from luminance with channels 1', () => {
    const x = imagesToTensor([halves(), halves()], { channels: 1, normalisation: 'raw' });
    expect(x.shape).toEqual([2, 2, 4, 1]);
    const values = valuesOf(x);
    expect(values[0]).toBeCloseTo(0.299 * 200 + 0.587 * 100 + 0.114 * 50, 3);
    expect(values[3]).toBeCloseTo(255, 3);
  });

  it('stretch resizes the whole image (both halves stay)', () => {
    const values = valuesOf(imagesToTensor([halves()], { size: [2, 2], normalisation: 'raw' }));
    expect(values.slice(0, 3)).toEqual([200, 100, 50]);
    expect(values.slice(3, 6)).toEqual([255, 255, 255]);
  });

  it('cover crops the centre to the aspect ratio, then resizes', () => {
    // 4×2 → square: the centre 2×2 crop is columns 1 and 2, one red-ish, one white.
    const values = valuesOf(imagesToTensor([halves()], { size: [1, 2], fit: 'cover', normalisation: 'raw' }));
    expect(values.slice(0, 3)).toEqual([200, 100, 50]);
    expect(values.slice(3, 6)).toEqual([255, 255, 255]);
    const square = imagesToTensor([halves()], { size: [2, 2], fit: 'cover', normalisation: 'raw' });
    expect(square.shape).toEqual([1, 2, 2, 3]);
    expect(valuesOf(square).slice(0, 6)).toEqual([200, 100, 50, 255, 255, 255]);
  });

  it('contain letterboxes with padValue', () => {
    const x = imagesToTensor([halves()], { size: [4, 4], fit: 'contain', normalisation: 'raw', padValue: 7 });
    expect(x.shape).toEqual([1, 4, 4, 3]);
    const values = valuesOf(x);
    const pixel = (y: number, xx: number): number[] => values.slice((y * 4 + xx) * 3, (y * 4 + xx) * 3 + 3);
    expect(pixel(0, 0)).toEqual([7, 7, 7]);
    expect(pixel(3, 3)).toEqual([7, 7, 7]);
    expect(pixel(1, 0)).toEqual([200, 100, 50]);
    expect(pixel(2, 3)).toEqual([255, 255, 255]);
  });

  it('resizes a real photo to a MobileNet batch without leaking', async () => {
    const before = tf.memory().numTensors;
    const x = await readImageBatch([join(photos, 'chelsea.png'), join(photos, 'astronaut.png')], {
      size: [224, 224],
      fit: 'cover',
      normalisation: 'symmetric',
    });
    expect(x.shape).toEqual([2, 224, 224, 3]);
    const [min, max] = [tf.min(x), tf.max(x)];
    expect(min.dataSync()[0]).toBeGreaterThanOrEqual(-1);
    expect(max.dataSync()[0]).toBeLessThanOrEqual(1);
    tf.dispose([x, min, max]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects mixed sizes without size, bad channels and a 3-channel mean for grey', () => {
    const small = createImage(2, 2);
    expect(() => imagesToTensor([halves(), small])).toThrowTdhookError(
      'E_CV_IMAGE',
      /images\[1\] is 2×2.*size/,
    );
    expect(() => imagesToTensor([])).toThrowTdhookError('E_CV_IMAGE', /No images/);
    expect(() => imagesToTensor([small], { channels: 2 as 3 })).toThrowTdhookError('E_CV_IMAGE', /channels/);
    expect(() => imagesToTensor([small], { channels: 1, normalisation: 'imagenet' })).toThrowTdhookError(
      'E_CV_IMAGE',
      /mean/,
    );
    expect(normalisations.unit.scale).toBeCloseTo(1 / 255);
  });
});

describe('tensorToImage', () => {
  it.each(['raw', 'unit', 'symmetric', 'imagenet'] as const)('undoes the %s normalisation', (name) => {
    const image = halves();
    const x = imagesToTensor([image], { normalisation: name });
    const back = tensorToImage(x, { normalisation: name });
    x.dispose();
    expect([back.width, back.height]).toEqual([4, 2]);
    expect(Array.from(back.data)).toEqual(Array.from(image.data));
  });

  it('turns a grey [h, w, 1] tensor into grey RGBA, clamping out-of-range values', () => {
    const x = tf.tensor3d([0, 0.5, 2, -1], [2, 2, 1]);
    const image = tensorToImage(x);
    x.dispose();
    expect(Array.from(image.data)).toEqual([
      0, 0, 0, 255, 128, 128, 128, 255, 255, 255, 255, 255, 0, 0, 0, 255,
    ]);
  });

  it('rejects a batch of two', () => {
    const x = tf.zeros<tf.Rank.R4>([2, 2, 2, 3]);
    expect(() => tensorToImage(x)).toThrowTdhookError('E_CV_IMAGE', /batch of one/);
    x.dispose();
  });
});
