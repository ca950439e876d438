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
 * colorbarHeight(1); // 23
 */
export function colorbarHeight(scale = 1): number {
  return (barHeight + 4) * scale + measureText('0', scale).height;
}

/**
 * A horizontal legend for a heatmap: the colour map from `lo` (left) to `hi` (right), with the two ends
 * and the middle (0 for a signed range) written below. On a narrow bar the middle is left out, a
 * symmetric range is written once as "±m", and the numbers get fewer digits, then smaller text, so that
 * they never overlap.
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
  const labels = rangeLabels(lo, hi, width, s);
  const y = bar + 4 * s;
  const text = { color: ink, scale: labels.scale };
  for (const label of labels.placed) drawText(image, label.text, label.x, y, text);
  return image;
}

interface PlacedLabel {
  readonly text: string;
  readonly x: number;
}

/**
 * The numbers under a bar of `width` pixels: both ends and the middle (0 for a signed range) if they fit
 * with two glyphs' space between them, else both ends; a symmetric range too narrow for both ends gets one
 * "±m" in the middle. Numbers get fewer digits (3, 2, then 1), then smaller text, rather than overlap.
 */
function rangeLabels(
  lo: number,
  hi: number,
  width: number,
  scale: number,
): { placed: PlacedLabel[]; scale: number } {
  const symmetric = lo < 0 && Math.abs(lo + hi) <= 1e-9 * Math.abs(hi);
  for (let s = scale; s >= 1; s--) {
    // Two glyphs' width between numbers, so that neighbouring numbers never read as one.
    const space = 12 * s;
    const w = (text: string): number => measureText(text, s).width;
    for (const digits of [3, 2, 1]) {
      const [left, middle, right] = [lo, (lo + hi) / 2, hi].map((value) => formatNumber(value, digits)) as [
        string,
        string,
        string,
      ];
      if (w(left) + space + w(right) <= width) {
        const placed = [
          { text: left, x: 0 },
          { text: right, x: width - w(right) },
        ];
        const middleX = Math.round((width - w(middle)) / 2);
        if (middleX >= w(left) + space && middleX + w(middle) + space <= width - w(right))
          placed.push({ text: middle, x: middleX });
        return { placed, scale: s };
      }
      const plusMinus = `±${formatNumber(hi, digits)}`;
      if (symmetric && w(plusMinus) <= width)
        return { placed: [{ text: plusMinus, x: Math.round((width - w(plusMinus)) / 2) }], scale: s };
    }
  }
  const fallback = formatNumber(hi, 1);
  return { placed: [{ text: fallback, x: Math.max(0, width - measureText(fallback, 1).width) }], scale: 1 };
}
