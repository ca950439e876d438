import { CvError } from '../errors.js';
import type { ResizeMethod } from '../image/resample.js';
import { resizeImage } from '../image/resize.js';
import { checkImage, createImage, type RgbaImage } from '../image/rgba-image.js';
import { contrastingColor, parseColor, type Color } from './color.js';
import { colorbar, colorbarHeight } from './colorbar.js';
import type { ColormapLut, ColormapName } from './colormaps.js';
import { drawImage, fillRect } from './draw.js';
import { drawText, fitText, measureText, wrapText } from './text.js';

/**
 * One cell of an {@link imageGrid}: an image, optionally a caption and a colour bar under it and a note
 * over it.
 *
 * @example
 * const map = heatmap(relevance);
 * const cell: GridCell = { image: map, label: 'LRP ε', legend: map };
 * const empty: GridCell = { image: heatmap(zeros), note: 'all 0' };
 */
export interface GridCell {
  readonly image: RgbaImage;
  /** A caption under the image; `\n` starts a new line. */
  readonly label?: string;
  /**
   * A colour bar under the cell (under its caption), as wide as the cell. Put it on the last row's cells
   * for a column that shares one scale; a row with a colour bar gets a band for it.
   */
  readonly legend?: GridLegend;
  /**
   * Text written over the middle of the image on a translucent white band (`\n` starts a line), e.g. to
   * say that a map is 0 everywhere, so the reader sees an empty map rather than a broken picture.
   */
  readonly note?: string;
}

/**
 * A colour bar of an {@link imageGrid}: the colour map and value range of the heatmaps it explains (a
 * `heatmap(...)` image carries both).
 *
 * @example
 * const legend: GridLegend = { colormap: 'bwr', range: [-0.4, 0.4] };
 */
export interface GridLegend {
  readonly colormap: ColormapName | ColormapLut;
  readonly range: readonly [number, number];
}

/**
 * Options of {@link imageGrid}.
 *
 * @example
 * const options: ImageGridOptions = {
 *   cellSize: 112,
 *   title: 'MNIST',
 *   columnLabels: ['input', 'saliency'],
 *   rowLabels: ['true 0\npred 0'],
 * };
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
  /** Labels written left of each row, centred on its images; `\n` starts a new line. */
  readonly rowLabels?: readonly string[];
  /** Headers written above each column, centred on it; `\n` starts a new line. */
  readonly columnLabels?: readonly string[];
  /** A title above the grid, broken into lines at spaces where it is wider than the grid. */
  readonly title?: string;
  /** One colour bar under the grid, for a grid whose heatmaps share one scale. */
  readonly legend?: GridLegend;
  /**
   * Text at the bottom, e.g. how the colour scales were chosen; broken into lines at spaces where it is
   * wider than the grid.
   */
  readonly footer?: string;
}

/**
 * The pixel layout of an {@link imageGrid}: where each part goes. Exposed so callers (and tests) can place
 * things relative to the grid.
 *
 * @example
 * const layout = gridLayout([[{ image }]], { cellSize: 64 });
 * console.log(layout.width, layout.height, layout.rowTops);
 */
export interface GridLayout {
  readonly width: number;
  readonly height: number;
  readonly cellSize: number;
  readonly gap: number;
  readonly textScale: number;
  /** Left edge of column `c` is `cellLeft + c · (cellSize + gap)`. */
  readonly cellLeft: number;
  /**
   * Top edge of each row. A row is as tall as its tallest image (fitted to the cell), so captions sit right
   * under wide photos, plus the caption band.
   */
  readonly rowTops: readonly number[];
  /** Height of each row's images (the caption band, then the colour-bar band, come under it). */
  readonly rowImageHeights: readonly number[];
  /** Height of each row's caption band (0 for a row whose cells have no `label`). */
  readonly rowCaptionHeights: readonly number[];
  /** Height of each row's band of colour bars (0 for a row whose cells have no `legend`). */
  readonly rowLegendHeights: readonly number[];
  readonly titleHeight: number;
  /** Height of the column headers' band (0 without `columnLabels`). */
  readonly headerHeight: number;
  /** Height of the band of the grid's own `legend` (0 without one). */
  readonly legendHeight: number;
  readonly footerHeight: number;
  readonly rowLabelWidth: number;
  readonly columns: number;
}

/** The size an image gets when scaled to fit a square cell, aspect kept. */
function fittedSize(image: RgbaImage, cellSize: number): { width: number; height: number; scale: number } {
  const scale = Math.min(cellSize / image.width, cellSize / image.height);
  return {
    width: Math.max(1, Math.round(image.width * scale)),
    height: Math.max(1, Math.round(image.height * scale)),
    scale,
  };
}

/**
 * Computes where {@link imageGrid} puts rows, cells, labels, title and colour bars.
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
  const s = Math.max(1, Math.round(options.textScale ?? (cellSize >= 160 ? 2 : 1)));
  const columns = Math.max(...rows.map((row) => row.length), options.columnLabels?.length ?? 0);
  const textHeight = (texts: readonly string[] | undefined, scale: number): number =>
    texts === undefined || texts.length === 0
      ? 0
      : Math.max(...texts.map((text) => measureText(text, scale).height)) + gap;
  const labelWidths = (options.rowLabels ?? []).map((label) => measureText(label, s).width);
  const rowLabelWidth = labelWidths.length === 0 ? 0 : Math.max(...labelWidths) + 2 * gap;
  const width = 2 * gap + rowLabelWidth + columns * cellSize + (columns - 1) * gap;
  const titleHeight =
    options.title === undefined
      ? 0
      : measureText(wrapText(options.title, width - 2 * gap, s + 1), s + 1).height + gap;
  const headerHeight = textHeight(options.columnLabels, s);
  const legendHeight = options.legend === undefined ? 0 : colorbarHeight(s) + gap;
  const footerHeight =
    options.footer === undefined
      ? 0
      : measureText(wrapText(options.footer, width - 2 * gap, s), s).height + gap;
  const rowImageHeights = rows.map((row) => {
    const heights = row.flatMap((cell) => (cell === null ? [] : [fittedSize(cell.image, cellSize).height]));
    return heights.length === 0 ? cellSize : Math.max(...heights);
  });
  const rowCaptionHeights = rows.map((row) =>
    textHeight(
      row.flatMap((cell) => (cell === null || (cell.label ?? '') === '' ? [] : [cell.label ?? ''])),
      s,
    ),
  );
  const rowLegendHeights = rows.map((row) =>
    row.some((cell) => cell?.legend !== undefined) ? colorbarHeight(s) + gap : 0,
  );
  const rowTops: number[] = [];
  let y = gap + titleHeight + headerHeight;
  rowImageHeights.forEach((imageHeight, r) => {
    rowTops.push(y);
    y += imageHeight + (rowCaptionHeights[r] ?? 0) + (rowLegendHeights[r] ?? 0) + gap;
  });
  y += legendHeight + footerHeight;
  return {
    width,
    height: y,
    cellSize,
    gap,
    textScale: s,
    cellLeft: gap + rowLabelWidth,
    rowTops,
    rowImageHeights,
    rowCaptionHeights,
    rowLegendHeights,
    titleHeight,
    headerHeight,
    legendHeight,
    footerHeight,
    rowLabelWidth,
    columns,
  };
}

function fitToCell(image: RgbaImage, cellSize: number, method: ResizeMethod | 'auto'): RgbaImage {
  const { width, height, scale } = fittedSize(image, cellSize);
  if (width === image.width && height === image.height) return image;
  const auto: ResizeMethod =
    scale < 1
      ? 'area'
      : Math.max(image.width, image.height) <= 64 || Number.isInteger(scale)
        ? 'nearest'
        : 'bilinear';
  return resizeImage(image, width, height, method === 'auto' ? auto : method);
}

/** Each line of `text` shortened to `width`, then the lines drawn centred on `centre`. */
function drawCentred(
  grid: RgbaImage,
  text: string,
  centre: number,
  top: number,
  width: number,
  options: { color: Color; scale: number },
): void {
  const lines = text.split('\n').map((line) => fitText(line, width, options.scale));
  const lineStep = measureText('X\nX', options.scale).height - measureText('X', options.scale).height;
  lines.forEach((line, index) => {
    const lineWidth = measureText(line, options.scale).width;
    drawText(grid, line, Math.round(centre - lineWidth / 2), top + index * lineStep, options);
  });
}

/** A note centred over a drawn image, on a translucent white band. */
function drawNote(
  grid: RgbaImage,
  note: string,
  box: { left: number; top: number; width: number; height: number },
  scale: number,
): void {
  const lines = note.split('\n').map((line) => fitText(line, box.width - 4 * scale, scale));
  const size = measureText(lines.join('\n'), scale);
  const pad = 2 * scale;
  const top = box.top + Math.floor((box.height - size.height) / 2);
  fillRect(grid, box.left, top - pad, box.width, size.height + 2 * pad, '#ffffffd9');
  drawCentred(grid, lines.join('\n'), box.left + box.width / 2, top, box.width, {
    color: '#000000',
    scale,
  });
}

/**
 * Lays images out in a labelled grid, e.g. input, heatmaps and overlays side by side for several
 * samples. Each image is scaled to fit a square cell (aspect kept, centred; a row is as tall as its
 * tallest image); column headers, row labels, captions, notes and the title use the built-in bitmap font;
 * a cell's `legend` adds a colour bar under it and the grid's `legend` one under the grid. Rows may differ
 * in length; `null` leaves a cell empty.
 *
 * @example
 * const grid = imageGrid(
 *   [[{ image: photo }, { image: heatmap(map) }, { image: overlay(photo, map) }]],
 *   {
 *     cellSize: 192,
 *     title: 'chelsea.png: tabby 0.71',
 *     columnLabels: ['input', 'LRP', 'LRP overlay'],
 *     legend: { colormap: 'bwr', range: [-1, 1] },
 *   },
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
  const columnLeft = (c: number): number => layout.cellLeft + c * (cellSize + gap);
  const span = layout.columns * cellSize + (layout.columns - 1) * gap;
  if (options.title !== undefined) {
    const title = wrapText(options.title, layout.width - 2 * gap, s + 1);
    drawText(grid, title, gap, gap, { ...text, scale: s + 1 });
  }
  options.columnLabels?.forEach((label, c) => {
    drawCentred(grid, label, columnLeft(c) + cellSize / 2, gap + layout.titleHeight, cellSize + gap, text);
  });
  rows.forEach((row, r) => {
    const top = layout.rowTops[r] ?? 0;
    const band = layout.rowImageHeights[r] ?? cellSize;
    const rowLabel = options.rowLabels?.[r];
    if (rowLabel !== undefined) {
      const height = measureText(rowLabel, s).height;
      drawText(grid, rowLabel, gap, top + Math.floor((band - height) / 2), text);
    }
    row.forEach((cell, c) => {
      if (cell === null) return;
      const left = columnLeft(c);
      const fitted = fitToCell(cell.image, cellSize, options.resize ?? 'auto');
      const box = {
        left: left + Math.floor((cellSize - fitted.width) / 2),
        top: top + Math.floor((band - fitted.height) / 2),
        width: fitted.width,
        height: fitted.height,
      };
      drawImage(grid, fitted, box.left, box.top);
      if (cell.note !== undefined && cell.note !== '') drawNote(grid, cell.note, box, s);
      if (cell.label !== undefined && cell.label !== '') {
        const labelTop = top + band + Math.floor(gap / 2);
        drawCentred(grid, cell.label, left + cellSize / 2, labelTop, cellSize, text);
      }
      if (cell.legend !== undefined) {
        // Inset, so that the numbers of neighbouring bars stay apart.
        const inset = 3 * s;
        const bar = colorbar({ ...cell.legend, width: cellSize - 2 * inset, scale: s, background });
        const captionHeight = layout.rowCaptionHeights[r] ?? 0;
        drawImage(grid, bar, left + inset, top + band + captionHeight + Math.floor(gap / 2));
      }
    });
  });
  const lastRow = rows.length - 1;
  let y =
    (layout.rowTops[lastRow] ?? 0) +
    (layout.rowImageHeights[lastRow] ?? 0) +
    (layout.rowCaptionHeights[lastRow] ?? 0) +
    (layout.rowLegendHeights[lastRow] ?? 0) +
    gap;
  if (options.legend !== undefined) {
    const bar = colorbar({ ...options.legend, width: Math.min(span, 256 * s), scale: s, background });
    drawImage(grid, bar, layout.cellLeft + Math.floor((span - bar.width) / 2), y);
    y += layout.legendHeight;
  }
  if (options.footer !== undefined) {
    drawText(grid, wrapText(options.footer, layout.width - 2 * gap, s), gap, y, text);
  }
  return grid;
}
