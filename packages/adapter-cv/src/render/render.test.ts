import { join } from 'node:path';

import type {} from '@tdhook/testing/vitest';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

import { createImage, readImage, type RgbaImage } from '../image/index.js';
import {
  drawText,
  gridLayout,
  heatmap,
  imageGrid,
  linePlot,
  linePlotSvg,
  measureText,
  overlay,
} from './index.js';

const photos = new URL('../../../cv-assets/photos/', import.meta.url).pathname;

function inked(image: RgbaImage, x0: number, y0: number, x1: number, y1: number, background = 255): number {
  let count = 0;
  for (let y = y0; y < y1; y++)
    for (let x = x0; x < x1; x++) if (image.data[(y * image.width + x) * 4] !== background) count++;
  return count;
}

describe('drawText / measureText', () => {
  it('measures 6 pixels per glyph less the last gap, 7 per line, times the scale', () => {
    expect(measureText('abc')).toEqual({ width: 17, height: 7 });
    expect(measureText('abc', 2)).toEqual({ width: 34, height: 14 });
    expect(measureText('ab\ncde', 1)).toEqual({ width: 17, height: 16 });
  });

  it('draws ink inside the measured box only', () => {
    const image = createImage(40, 20);
    drawText(image, 'Hi!', 2, 3, { color: '#000', scale: 2 });
    const { width, height } = measureText('Hi!', 2);
    expect(inked(image, 2, 3, 2 + width, 3 + height)).toBeGreaterThan(20);
    expect(inked(image, 0, 0, 40, 20)).toBe(inked(image, 2, 3, 2 + width, 3 + height));
  });
});

describe('overlay', () => {
  it('has the size of the photo, keeps low-relevance pixels and colours high ones', async () => {
    const photo = await readImage(join(photos, 'chelsea.png'));
    const cam = tf.tensor2d([
      [0, 0, 0],
      [0, 1, 0],
      [0, 0, 0],
    ]);
    const before = tf.memory().numTensors;
    const blended = overlay(photo, cam, { alpha: 1, colormap: 'inferno' });
    expect(tf.memory().numTensors).toBe(before);
    cam.dispose();
    expect([blended.width, blended.height]).toEqual([photo.width, photo.height]);
    expect(blended.signed).toBe(false);
    const at = (image: RgbaImage, x: number, y: number): number[] =>
      Array.from(image.data.subarray((y * image.width + x) * 4, (y * image.width + x) * 4 + 4));
    expect(at(blended, 0, 0)).toEqual(at(photo, 0, 0));
    expect(at(blended, 225, 150).slice(0, 3)).toEqual([0xfc, 0xff, 0xa4]);
  });
});

describe('imageGrid', () => {
  const digit = createImage(28, 28, [0, 0, 0, 255]);
  const wide = createImage(60, 30, [200, 0, 0, 255]);

  it('sizes the grid from cells, gaps, labels, row labels, title and legend', () => {
    const rows = [
      [
        { image: digit, label: 'input' },
        { image: wide, label: 'LRP' },
      ],
      [{ image: digit }, null, { image: wide }],
    ];
    const plain = gridLayout([[{ image: digit }, { image: digit }]], { cellSize: 56, gap: 4 });
    expect([plain.width, plain.height]).toEqual([4 + 56 + 4 + 56 + 4, 4 + 56 + 4]);
    const options = {
      cellSize: 56,
      gap: 4,
      rowLabels: ['a', 'bb'],
      title: 'T',
      legend: { colormap: 'bwr', range: [-1, 1] },
    } as const;
    const layout = gridLayout(rows, options);
    const rowLabelWidth = measureText('bb').width + 4;
    const labelBand = 7 + 4;
    expect(layout.width).toBe(4 + rowLabelWidth + 3 * 56 + 2 * 4 + 4);
    expect(layout.height).toBe(4 + (14 + 4) + 2 * (56 + labelBand) + 4 + layout.legendHeight + 4);
    const grid = imageGrid(rows, options);
    expect([grid.width, grid.height]).toEqual([layout.width, layout.height]);
  });

  it('draws labels under the cells and keeps small images crisp', () => {
    const grid = imageGrid([[{ image: digit, label: 'seven' }]], { cellSize: 56, gap: 4 });
    // Caption band: below the cell, inside the grid.
    expect(inked(grid, 4, 4 + 56, 4 + 56, 4 + 56 + 11)).toBeGreaterThan(10);
    // Nearest-neighbour upscaling of a black digit gives only black cell pixels.
    expect(inked(grid, 4, 4, 60, 60, 0)).toBe(0);
  });

  it('rejects an empty grid', () => {
    expect(() => imageGrid([[]])).toThrowTdhookError('E_CV_IMAGE', /no images/);
  });
});

describe('linePlot / linePlotSvg', () => {
  const series = [
    { label: 'LRP', x: [0, 0.25, 0.5, 0.75, 1], y: [0.9, 0.4, 0.2, 0.1, 0.05] },
    {
      label: 'random <baseline>',
      x: [0, 0.25, 0.5, 0.75, 1],
      y: [0.9, 0.8, NaN, 0.5, 0.3],
      color: '#7f7f7f',
    },
  ];

  it('returns an image of the requested size with lines in the series colours', () => {
    const plot = linePlot(series, {
      width: 400,
      height: 250,
      title: 'Pixel flipping',
      xLabel: 'fraction',
      yLabel: 'score',
    });
    expect([plot.width, plot.height]).toEqual([400, 250]);
    let blue = 0;
    for (let i = 0; i < plot.data.length; i += 4)
      if (plot.data[i] === 0x1f && plot.data[i + 1] === 0x77 && plot.data[i + 2] === 0xb4) blue++;
    expect(blue).toBeGreaterThan(100);
  });

  it('writes the same plot as SVG, with the series labels (escaped)', () => {
    const svg = linePlotSvg(series, { width: 400, height: 250, title: 'Pixel flipping' });
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg" width="400" height="250"')).toBe(true);
    expect(svg).toContain('>LRP<');
    expect(svg).toContain('random &#60;baseline&#62;');
    expect(svg).toContain('Pixel flipping');
    // The NaN splits the grey series into two polylines.
    expect(svg.match(/<polyline[^>]*stroke="#7f7f7f"/g)).toHaveLength(2);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
  });

  it('rejects mismatched x and y', () => {
    expect(() => linePlot([{ label: 'bad', x: [0, 1], y: [1] }])).toThrowTdhookError(
      'E_CV_IMAGE',
      /"bad".*2 x and 1 y/,
    );
  });
});

describe('a heatmap grid of a real photo', () => {
  it('renders without leaking', async () => {
    const photo = await readImage(join(photos, 'astronaut.png'));
    const map = heatmap({
      values: Float32Array.from({ length: 64 }, (_, i) => (i % 8) - 3.5),
      height: 8,
      width: 8,
    });
    const grid = imageGrid(
      [
        [
          { image: photo, label: 'photo' },
          { image: map, label: 'map' },
        ],
      ],
      { cellSize: 96, legend: map },
    );
    expect(grid.width).toBe(6 + 96 + 6 + 96 + 6);
  });
});
