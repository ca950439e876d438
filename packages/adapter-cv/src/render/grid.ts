import { CvError } from '../errors.js';
import type { ResizeMethod } from '../image/resample.js';
import { resizeImage } from '../image/resize.js';
import { checkImage, createImage, type RgbaImage } from '../image/rgba-image.js';
import { contrastingColor, parseColor, type Color } from './color.js';
import { colorbar, colorbarHeight } from './colorbar.js';
import type { ColormapLut, ColormapName } from './colormaps.js';
import { drawImage } from './draw.js';
import { drawText, fitText, measureText } from './text.js';

/**
 * One cell of an {@link imageGrid}: an image and an optional caption under it.
 *
 * @example
 * const cell: GridCell = { image: heatmap(map), label: 'LRP ε' };
 */
export interface GridCell {
  readonly image: RgbaImage;
  readonly label?: string;
}

/**
 * Options of {@link imageGrid}.
 *
 * @example
 * const options: ImageGridOptions = { cellSize: 160, title: 'tabby cat', rowLabels: ['input', 'LRP'] };
 */
export interface ImageGridOptions {
  /** The square each image is scaled to fit (aspect kept). Default: the largest image side. */
  readonly cellSize?: number;
  /** Space between and around cells, in pixels. Default 6. */
  readonly gap?: number;
  /** Default white. */
  readonly background?: Color;
  /** Default black or white, whichever reads on the background. */
  readonly textColor?: Color;
  /** Text magnification. Default 2 for cells of 160 pixels or more, else 1. */
  readonly textScale?: number;
  /**
   * How images are scaled to the cell. Default `auto`: `nearest` when enlarging small images (≤ 64 px, e.g.
   * 28×28 digits) or by whole factors, so pixels stay crisp; `bilinear` otherwise; `area` when shrinking.
   */
  readonly resize?: ResizeMethod | 'auto';
  /** Labels written left of each row. */
  readonly rowLabels?: readonly string[];
  /** A title above the grid. */
  readonly title?: string;
  /** A colour bar under the grid (e.g. `{ colormap: map.colormap, range: map.range }` of a heatmap). */
  readonly legend?: {
    readonly colormap: ColormapName | ColormapLut;
    readonly range: readonly [number, number];
  };
}

/**
 * The pixel layout of an {@link imageGrid}: where each part goes. Exposed so callers (and tests) can place
 * things relative to the grid.
 *
 * @example
 * const layout = gridLayout([[{ image }]], { cellSize: 64 });
 * console.log(layout.width, layout.height);
 */
export interface GridLayout {
  readonly width: number;
  readonly height: number;
  readonly cellSize: number;
  readonly gap: number;
  readonly textScale: number;
  /** Left edge of column `c` is `cellLeft + c · (cellSize + gap)`. */
  readonly cellLeft: number;
  /** Top edge of row `r` is `cellTop + r · rowPitch`. */
  readonly cellTop: number;
  readonly rowPitch: number;
  /** Height of the caption band under each row (0 if no cell has a label). */
  readonly labelHeight: number;
  readonly titleHeight: number;
  readonly legendHeight: number;
  readonly rowLabelWidth: number;
  readonly columns: number;
}

/**
 * Computes where {@link imageGrid} puts rows, cells, labels, title and legend.
 *
 * @example
 * const { width, height } = gridLayout(rows, { cellSize: 128, gap: 4 });
 */
export function gridLayout(
  rows: readonly (readonly (GridCell | null)[])[],
  options: ImageGridOptions = {},
): GridLayout {
  const cells = rows.flat().filter((cell): cell is GridCell => cell !== null);
  if (rows.length === 0 || cells.length === 0) {
    throw new CvError('E_CV_IMAGE', {
      what: 'The grid has no images',
      where: 'imageGrid rows',
      fix: 'Pass rows of { image, label? } cells, e.g. [[{ image: photo }, { image: heatmap(map) }]].',
    });
  }
  cells.forEach((cell, index) => {
    checkImage(cell.image, `imageGrid cell ${index}`);
  });
  const cellSize = Math.round(
    options.cellSize ?? Math.max(...cells.map(({ image }) => Math.max(image.width, image.height))),
  );
  const gap = Math.max(0, Math.round(options.gap ?? 6));
  if (!Number.isSafeInteger(cellSize) || cellSize < 1) {
    throw new CvError('E_CV_IMAGE', {
      what: `cellSize must be ≥ 1, got ${options.cellSize}`,
      where: 'imageGrid cellSize',
      fix: 'E.g. 128.',
    });
  }
  const textScale = Math.max(1, Math.round(options.textScale ?? (cellSize >= 160 ? 2 : 1)));
  const lineHeight = measureText('X', textScale).height;
  const columns = Math.max(...rows.map((row) => row.length));
  const labelHeight = cells.some((cell) => (cell.label ?? '') !== '') ? lineHeight + gap : 0;
  const titleHeight = options.title === undefined ? 0 : measureText('X', textScale + 1).height + gap;
  const legendHeight = options.legend === undefined ? 0 : colorbarHeight(textScale) + gap;
  const labelWidths = (options.rowLabels ?? []).map((label) => measureText(label, textScale).width);
  const rowLabelWidth = labelWidths.length === 0 ? 0 : Math.max(...labelWidths) + gap;
  const rowPitch = cellSize + labelHeight + gap;
  return {
    width: 2 * gap + rowLabelWidth + columns * cellSize + (columns - 1) * gap,
    height: 2 * gap + titleHeight + rows.length * rowPitch - gap + legendHeight,
    cellSize,
    gap,
    textScale,
    cellLeft: gap + rowLabelWidth,
    cellTop: gap + titleHeight,
    rowPitch,
    labelHeight,
    titleHeight,
    legendHeight,
    rowLabelWidth,
    columns,
  };
}

function fitToCell(image: RgbaImage, cellSize: number, method: ResizeMethod | 'auto'): RgbaImage {
  const scale = Math.min(cellSize / image.width, cellSize / image.height);
  const width = Math.max(1, Math.round(image.width * scale));
  const height = Math.max(1, Math.round(image.height * scale));
  if (width === image.width && height === image.height) return image;
  const auto: ResizeMethod =
    scale < 1
      ? 'area'
      : Math.max(image.width, image.height) <= 64 || Number.isInteger(scale)
        ? 'nearest'
        : 'bilinear';
  return resizeImage(image, width, height, method === 'auto' ? auto : method);
}

/**
 * Lays images out in a labelled grid, e.g. input, heatmaps and overlays side by side for several
 * samples. Each image is scaled to fit a square cell (aspect kept, centred); captions, row labels and the
 * title use the built-in bitmap font; `legend` adds a colour bar. Rows may differ in length; `null` leaves
 * a cell empty.
 *
 * @example
 * const grid = imageGrid(
 *   [[{ image: photo, label: 'input' }, { image: heatmap(map), label: 'LRP' }, { image: overlay(photo, map) }]],
 *   { cellSize: 192, title: 'chelsea.png: tabby 0.71', legend: { colormap: 'bwr', range: [-1, 1] } },
 * );
 * await writePng('report/grid.png', grid);
 */
export function imageGrid(
  rows: readonly (readonly (GridCell | null)[])[],
  options: ImageGridOptions = {},
): RgbaImage {
  const layout = gridLayout(rows, options);
  const { cellSize, gap, textScale: s } = layout;
  const background = parseColor(options.background ?? '#ffffff');
  const text = { color: options.textColor ?? contrastingColor(background), scale: s };
  const grid = createImage(layout.width, layout.height, background);
  if (options.title !== undefined) {
    const title = fitText(options.title, layout.width - 2 * gap, s + 1);
    drawText(grid, title, gap, gap, { ...text, scale: s + 1 });
  }
  const lineHeight = measureText('X', s).height;
  rows.forEach((row, r) => {
    const top = layout.cellTop + r * layout.rowPitch;
    const rowLabel = options.rowLabels?.[r];
    if (rowLabel !== undefined)
      drawText(grid, rowLabel, gap, top + Math.floor((cellSize - lineHeight) / 2), text);
    row.forEach((cell, c) => {
      if (cell === null) return;
      const left = layout.cellLeft + c * (cellSize + gap);
      const fitted = fitToCell(cell.image, cellSize, options.resize ?? 'auto');
      drawImage(
        grid,
        fitted,
        left + Math.floor((cellSize - fitted.width) / 2),
        top + Math.floor((cellSize - fitted.height) / 2),
      );
      if (cell.label === undefined || cell.label === '') return;
      const label = fitText(cell.label, cellSize, s);
      const width = measureText(label, s).width;
      drawText(
        grid,
        label,
        left + Math.floor((cellSize - width) / 2),
        top + cellSize + Math.floor(gap / 2),
        text,
      );
    });
  });
  if (options.legend !== undefined) {
    const span = layout.columns * cellSize + (layout.columns - 1) * gap;
    const bar = colorbar({ ...options.legend, width: Math.min(span, 256 * s), scale: s, background });
    drawImage(
      grid,
      bar,
      layout.cellLeft + Math.floor((span - bar.width) / 2),
      layout.height - gap - colorbarHeight(s),
    );
  }
  return grid;
}
