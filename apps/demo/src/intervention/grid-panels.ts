// Labelled 2-D grids (layer × head) drawn side by side, one panel per method: coloured cells with their values,
// the grid's axes as row and column labels, each panel with its own symmetric colour bar (the methods estimate
// the same effect, but an estimate's scale can be off: its own bar shows the pattern).
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

function panel({ title, grid }: GridPanel, cellSize: number): RgbaImage {
  const [rowAxis, columnAxis] = grid.axes;
  const largest = Math.max(...Array.from(grid.values, Math.abs), 1e-9);
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

/** The panels in one row, top-aligned on a white canvas. */
export function gridPanels(panels: readonly GridPanel[], cellSize: number): RgbaImage {
  const images = panels.map((one) => panel(one, cellSize));
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
