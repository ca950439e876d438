import { createImage, type RgbaImage } from '../image/rgba-image.js';
import { contrastingColor, parseColor, type Color } from './color.js';
import { colormapLut, lutIndex, type ColormapLut, type ColormapName } from './colormaps.js';
import { drawText, measureText } from './text.js';
import { formatNumber } from './numbers.js';

/**
 * Options of {@link colorbar}: the colour map and value range of a heatmap (`heatmap(...)` returns both).
 *
 * @example
 * const options: ColorbarOptions = { colormap: 'bwr', range: [-0.02, 0.02], width: 200 };
 */
export interface ColorbarOptions {
  readonly colormap: ColormapName | ColormapLut;
  readonly range: readonly [lo: number, hi: number];
  /** Width of the bar in pixels. Default 256. */
  readonly width?: number;
  /** Text scale. Default 1. */
  readonly scale?: number;
  /** Default white. */
  readonly background?: Color;
}

/** Height of the colour bar itself, per text scale unit. */
const barHeight = 10;

/**
 * The height {@link colorbar} draws at a text scale: the bar, a gap, one line of numbers.
 *
 * @example
 * colorbarHeight(1); // 21
 */
export function colorbarHeight(scale = 1): number {
  return (barHeight + 4) * scale + measureText('0', scale).height;
}

/**
 * A horizontal legend for a heatmap: the colour map from `lo` (left) to `hi` (right), with the two ends
 * and the middle (0 for a signed range) written below.
 *
 * @example
 * const map = heatmap(relevance);
 * const legend = colorbar({ colormap: map.colormap, range: map.range });
 */
export function colorbar(options: ColorbarOptions): RgbaImage {
  const s = Math.max(1, Math.round(options.scale ?? 1));
  const width = Math.max(16, Math.round(options.width ?? 256));
  const background = parseColor(options.background ?? '#ffffff');
  const ink = contrastingColor(background);
  const image = createImage(width, colorbarHeight(s), background);
  const lut = colormapLut(options.colormap, 'colorbar colormap');
  const bar = barHeight * s;
  for (let x = 0; x < width; x++) {
    const i = lutIndex(x / (width - 1)) * 3;
    for (let y = 0; y < bar; y++)
      image.data.set([lut[i] ?? 0, lut[i + 1] ?? 0, lut[i + 2] ?? 0, 255], (y * width + x) * 4);
  }
  const [lo, hi] = options.range;
  const labels = [formatNumber(lo), formatNumber((lo + hi) / 2), formatNumber(hi)];
  const y = bar + 4 * s;
  const [left, middle, right] = labels.map((label) => measureText(label, s).width);
  drawText(image, labels[0] ?? '', 0, y, { color: ink, scale: s });
  if ((left ?? 0) + (middle ?? 0) + (right ?? 0) + 8 * s < width) {
    drawText(image, labels[1] ?? '', Math.round((width - (middle ?? 0)) / 2), y, { color: ink, scale: s });
  }
  drawText(image, labels[2] ?? '', width - (right ?? 0), y, { color: ink, scale: s });
  return image;
}
