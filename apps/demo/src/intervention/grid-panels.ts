// Labelled 2-D grids (layer × head) drawn side by side, one panel per method: coloured cells with their values,
// the grid's axes as row and column labels, and one symmetric colour scale for all panels: the methods estimate
// the same effect in the same unit, so a cell that is pale next to a dark one is an estimate that misses.
import { createImage, drawImage, heatmap, imageGrid, type RgbaImage } from '@tdhook/adapter-cv';
import type { LabelledGrid } from '@tdhook/intervention';

/** One panel: a title over a 2-D grid. */
export interface GridPanel {
  /** Written at text scale 3: about 18 characters a line for 4 columns of 80 px; `\n` breaks a line. */
  readonly title: string;
  readonly grid: LabelledGrid;
}

const gap = 24;

/** A cell's value in at most 5 characters, to fit an 80-pixel cell at text scale 2. */
const cellValue = (value: number): string => {
  const text = value.toFixed(Math.abs(value) >= 10 ? 1 : 2);
  return /^-0\.0+$/.test(text) ? text.slice(1) : text; // no "-0.00"
};

function panel({ title, grid }: GridPanel, cellSize: number, largest: number): RgbaImage {
  const [rowAxis, columnAxis] = grid.axes;
  const range = [-largest, largest] as const;
  const colormap = 'bwr' as const;
  const rows = grid.rows().map((values) =>
    values.map((value) => ({
      image: heatmap({ values: [value], width: 1, height: 1 }, { range, colormap }),
      note: cellValue(value),
    })),
  );
  const short = (axis: typeof rowAxis, prefix: string): string[] =>
    axis?.labels.map((label) => `${prefix}${label}`) ?? [];
  return imageGrid(rows, {
    cellSize,
    gap: 2,
    textScale: 2,
    title,
    rowLabels: short(rowAxis, rowAxis?.name === 'layer' ? 'L' : ''),
    columnLabels: short(columnAxis, columnAxis?.name === 'head' ? 'H' : ''),
    legend: { colormap, range },
  });
}

/** The panels in one row, top-aligned on a white canvas, on the colour scale of the largest |value| of all. */
export function gridPanels(panels: readonly GridPanel[], cellSize: number): RgbaImage {
  const largest = Math.max(...panels.flatMap(({ grid }) => Array.from(grid.values, Math.abs)), 1e-9);
  const images = panels.map((one) => panel(one, cellSize, largest));
  const width = images.reduce((sum, image) => sum + image.width, 0) + gap * (images.length - 1);
  const height = Math.max(...images.map((image) => image.height));
  const canvas = createImage(width, height);
  let x = 0;
  for (const image of images) {
    drawImage(canvas, image, x, 0);
    x += image.width + gap;
  }
  return canvas;
}
