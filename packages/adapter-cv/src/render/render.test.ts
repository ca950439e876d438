import { join } from 'node:path';

import type {} from '@tdhook/testing/vitest';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

import { createImage, readImage, type RgbaImage } from '../image/index.js';
import {
  colorbar,
  colorbarHeight,
  colormapColor,
  drawText,
  gridLayout,
  heatmap,
  imageGrid,
  linePlot,
  linePlotSvg,
  measureText,
  overlay,
} from './index.js';
import { plotLayout } from './plot-layout.js';
import { wrapText } from './text.js';

const photos = new URL('../../../cv-assets/photos/', import.meta.url).pathname;

function inked(image: RgbaImage, x0: number, y0: number, x1: number, y1: number, background = 255): number {
  let count = 0;
  for (let y = y0; y < y1; y++)
    for (let x = x0; x < x1; x++) if (image.data[(y * image.width + x) * 4] !== background) count++;
  return count;
}

/** The columns (x) that have ink in rows y0 ≤ y < y1. */
function inkedColumns(image: RgbaImage, y0: number, y1: number, background = 255): number[] {
  const columns: number[] = [];
  for (let x = 0; x < image.width; x++) if (inked(image, x, y0, x + 1, y1, background) > 0) columns.push(x);
  return columns;
}

describe('drawText / measureText', () => {
  it('measures 6 pixels per glyph less the last gap, 9 for a line (7 above the baseline, 2 below), 10 more per line', () => {
    expect(measureText('abc')).toEqual({ width: 17, height: 9 });
    expect(measureText('abc', 2)).toEqual({ width: 34, height: 18 });
    expect(measureText('ab\ncde', 1)).toEqual({ width: 17, height: 19 });
  });

  it('draws g, j, p, q, y and the comma below the baseline and other letters above it', () => {
    for (const [char, descends] of [
      ['g', true],
      ['p', true],
      ['y', true],
      [',', true],
      ['a', false],
      ['X', false],
    ] as const) {
      const image = createImage(10, 12);
      drawText(image, char, 0, 0);
      expect(inked(image, 0, 7, 10, 9) > 0, char).toBe(descends);
      expect(inked(image, 0, 9, 10, 12), char).toBe(0);
    }
  });

  it('has glyphs for ε, →, ± and ≤ (not the "?" of unknown characters)', () => {
    const question = createImage(6, 9);
    drawText(question, '?', 0, 0);
    for (const char of ['ε', '→', '±', '≤']) {
      const image = createImage(6, 9);
      drawText(image, char, 0, 0);
      expect(Array.from(image.data), char).not.toEqual(Array.from(question.data));
    }
  });

  it('wraps text at spaces to a width, and shortens a word that is too long', () => {
    expect(wrapText('one colour scale per column', 60, 1)).toBe('one colour\nscale per\ncolumn');
    expect(wrapText('a\nb c', 100, 1)).toBe('a\nb c');
    expect(wrapText('unbreakable', 30, 1)).toBe('unbr…');
    for (const line of wrapText('one colour scale per column', 60, 1).split('\n'))
      expect(measureText(line).width).toBeLessThanOrEqual(60);
  });

  it('draws ink inside the measured box only', () => {
    const image = createImage(40, 24);
    drawText(image, 'Hi!', 2, 3, { color: '#000', scale: 2 });
    const { width, height } = measureText('Hi!', 2);
    expect(inked(image, 2, 3, 2 + width, 3 + height)).toBeGreaterThan(20);
    expect(inked(image, 0, 0, 40, 24)).toBe(inked(image, 2, 3, 2 + width, 3 + height));
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

  it('puts signed maps over a light grey copy of the photo, unless underlay is color', () => {
    const photo = createImage(2, 1, [200, 100, 50, 255]);
    const map = { values: [0, 1], height: 1, width: 2 };
    const grey = Math.round(255 - 0.6 * (255 - (0.299 * 200 + 0.587 * 100 + 0.114 * 50)));
    const signed = overlay(photo, map, { signed: true, alpha: 1, resize: 'nearest' });
    // Value 0: no colour on top, only the grey photo; the top value: the colour map's end.
    expect(Array.from(signed.data.subarray(0, 4))).toEqual([grey, grey, grey, 255]);
    expect(Array.from(signed.data.subarray(4, 7))).toEqual(colormapColor('bwr', 1));
    const kept = overlay(photo, map, { signed: true, underlay: 'color', resize: 'nearest' });
    expect(Array.from(kept.data.subarray(0, 4))).toEqual([200, 100, 50, 255]);
    // Positive maps keep the photo's colours by default.
    const positive = overlay(photo, map, { signed: false, resize: 'nearest' });
    expect(Array.from(positive.data.subarray(0, 4))).toEqual([200, 100, 50, 255]);
  });

  it('rejects an unknown underlay before drawing', () => {
    const photo = createImage(2, 1);
    expect(() =>
      overlay(photo, { values: [0, 1], height: 1, width: 2 }, { underlay: 'sepia' as 'gray' }),
    ).toThrowTdhookError('E_CV_IMAGE', /underlay/);
  });
});

describe('colorbar', () => {
  const labelRows = (scale: number): [number, number] => [(10 + 4) * scale, colorbarHeight(scale)];

  it('writes both ends and the middle on a wide bar', () => {
    const bar = colorbar({ colormap: 'bwr', range: [-0.5, 0.5], width: 300, scale: 1 });
    expect([bar.width, bar.height]).toEqual([300, colorbarHeight(1)]);
    const ink = inkedColumns(bar, ...labelRows(1));
    // '-0.5' from x 0, '0' in the middle, '0.5' ending at the right edge.
    expect(ink[0]).toBe(0);
    expect(ink[ink.length - 1]).toBe(299);
    expect(ink.some((x) => x > 140 && x < 160)).toBe(true);
    expect(bar.data.subarray(0, 3)).toEqual(Uint8Array.from(colormapColor('bwr', 0)));
  });

  it('writes a symmetric range as one "±m" in the middle when both ends do not fit', () => {
    const bar = colorbar({ colormap: 'bwr', range: [-0.0338, 0.0338], width: 100, scale: 2 });
    const ink = inkedColumns(bar, ...labelRows(2));
    const width = measureText('±0.0338', 2).width;
    expect(ink[0]).toBe(Math.round((100 - width) / 2));
    expect((ink[ink.length - 1] ?? 0) - (ink[0] ?? 0)).toBeLessThan(width);
  });

  it('keeps the labels of a narrow positive bar apart by using fewer digits', () => {
    const bar = colorbar({ colormap: 'inferno', range: [0, 0.0123456], width: 70, scale: 2 });
    const ink = inkedColumns(bar, ...labelRows(2));
    // '0' at the left, '0.012' (2 digits) at the right, a gap between them.
    expect(ink[0]).toBe(0);
    expect(ink[ink.length - 1]).toBeLessThan(70);
    const gaps = ink.slice(1).map((x, i) => x - (ink[i] ?? 0));
    expect(Math.max(...gaps)).toBeGreaterThanOrEqual(8);
  });
});

describe('imageGrid', () => {
  const digit = createImage(28, 28, [0, 0, 0, 255]);
  const wide = createImage(60, 30, [200, 0, 0, 255]);

  it('sizes the grid from cells, gaps, headers, captions, colour bars, row labels, title and footer', () => {
    const rows = [
      [
        { image: digit, label: 'input' },
        { image: wide, label: 'two\nlines' },
      ],
      [{ image: wide }, null, { image: wide, legend: { colormap: 'bwr', range: [-1, 1] } as const }],
    ];
    const plain = gridLayout([[{ image: digit }, { image: digit }]], { cellSize: 56, gap: 4 });
    expect([plain.width, plain.height]).toEqual([4 + 56 + 4 + 56 + 4, 4 + 56 + 4]);
    const options = {
      cellSize: 56,
      gap: 4,
      rowLabels: ['a', 'bb\nc'],
      columnLabels: ['x', 'y\nz'],
      title: 'T',
      footer: 'F',
    } as const;
    const layout = gridLayout(rows, options);
    const rowLabelWidth = measureText('bb').width + 2 * 4;
    expect(layout.width).toBe(4 + rowLabelWidth + 3 * 56 + 2 * 4 + 4);
    // Title (scale 2), two-line headers, row 1: 56 px of images and a two-line caption band, row 2: wide
    // images fitted to 56×28 and a colour-bar band, the footer.
    expect(layout.titleHeight).toBe(18 + 4);
    expect(layout.headerHeight).toBe(19 + 4);
    expect(layout.rowImageHeights).toEqual([56, 28]);
    expect(layout.rowCaptionHeights).toEqual([19 + 4, 0]);
    expect(layout.rowLegendHeights).toEqual([0, colorbarHeight(1) + 4]);
    expect(layout.rowTops).toEqual([4 + 22 + 23, 4 + 22 + 23 + 56 + 23 + 4]);
    expect(layout.footerHeight).toBe(9 + 4);
    expect(layout.height).toBe((layout.rowTops[1] ?? 0) + 28 + colorbarHeight(1) + 4 + 4 + 9 + 4);
    const grid = imageGrid(rows, options);
    expect([grid.width, grid.height]).toEqual([layout.width, layout.height]);
  });

  it('draws captions under the cells, colour bars under their captions, and keeps small images crisp', () => {
    const legend = { colormap: 'bwr', range: [-1, 1] } as const;
    const grid = imageGrid([[{ image: digit, label: 'seven', legend }]], { cellSize: 56, gap: 4 });
    // Caption band: below the cell, inside the grid.
    expect(inked(grid, 4, 4 + 56, 4 + 56, 4 + 56 + 13)).toBeGreaterThan(10);
    // The colour bar, inset by 3 pixels: its left end is the colour map's first colour.
    const barTop = 4 + 56 + 13 + 2;
    const at = (x: number, y: number): number[] =>
      Array.from(grid.data.subarray((y * grid.width + x) * 4, (y * grid.width + x) * 4 + 3));
    expect(at(4 + 3, barTop + 2)).toEqual(colormapColor('bwr', 0));
    expect(at(4 + 56 - 4, barTop + 2)).toEqual(colormapColor('bwr', 1));
    // Nearest-neighbour upscaling of a black digit gives only black cell pixels.
    expect(inked(grid, 4, 4, 60, 60, 0)).toBe(0);
  });

  it('sizes a row to its tallest image, so captions sit right under wide photos', () => {
    const layout = gridLayout([[{ image: wide, label: 'photo' }]], { cellSize: 120, gap: 6 });
    expect(layout.rowImageHeights).toEqual([60]);
    const grid = imageGrid([[{ image: wide, label: 'photo' }]], { cellSize: 120, gap: 6 });
    expect(inked(grid, 6, 6 + 60, 126, 6 + 60 + 12)).toBeGreaterThan(10);
  });

  it('writes column headers above the first row and a note over a cell', () => {
    const white = createImage(40, 40, [255, 255, 255, 255]);
    const black = createImage(40, 40, [0, 0, 0, 255]);
    const grid = imageGrid([[{ image: white }, { image: black, note: 'all 0' }]], {
      cellSize: 40,
      gap: 4,
      columnLabels: ['input', 'map'],
    });
    const header = measureText('map').height;
    // Each header is centred over its column.
    const ink = inkedColumns(grid, 4, 4 + header);
    expect(ink.some((x) => x >= 4 && x < 44)).toBe(true);
    expect(ink.some((x) => x >= 48 && x < 88)).toBe(true);
    // The note: a light band (rows 13–25 of the cell) with dark text (rows 15–23) across the black cell.
    const top = 4 + header + 4;
    expect(inked(grid, 48, top + 14, 88, top + 15, 0)).toBe(40);
    expect(inked(grid, 48, top + 16, 88, top + 17, 0)).toBeLessThan(40);
    expect(inked(grid, 48, top, 88, top + 5, 0)).toBe(0);
  });

  it('wraps a long title and footer to the grid width', () => {
    const options = {
      cellSize: 40,
      gap: 4,
      title: 'a title much wider than the grid',
      footer: 'a b c d e f g h',
    };
    const layout = gridLayout([[{ image: digit }]], options);
    expect(layout.titleHeight).toBeGreaterThan(2 * 18);
    expect(layout.footerHeight).toBeGreaterThan(2 * 9);
    const grid = imageGrid([[{ image: digit }]], options);
    expect(grid.width).toBe(48);
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

  it('puts the legend in the corner of the plot that hides the fewest points of the lines', () => {
    const x = [0, 0.25, 0.5, 0.75, 1];
    // One line across the top, one falling to the bottom right: the free corner is the bottom left.
    const crowded = [
      { label: 'flat', x, y: [0.95, 0.95, 0.95, 0.95, 0.95] },
      { label: 'falling', x, y: [0.95, 0.7, 0.5, 0.3, 0.05] },
    ];
    const { legend, box } = plotLayout(crowded, { width: 400, height: 300, yRange: [0, 1] });
    expect(legend.left).toBeLessThan((box.left + box.right) / 2);
    expect(legend.top).toBeGreaterThan((box.top + box.bottom) / 2);
    // Nothing in the top right: it stays there.
    const low = plotLayout([{ label: 'low', x, y: [0.1, 0, 0, 0, 0] }], { width: 400, height: 300 });
    expect(low.legend.left).toBeGreaterThan((low.box.left + low.box.right) / 2);
    expect(low.legend.top).toBeLessThan((low.box.top + low.box.bottom) / 2);
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
