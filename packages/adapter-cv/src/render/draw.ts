import type { RgbaImage } from '../image/rgba-image.js';
import { parseColor, type Color } from './color.js';

/** Paints one pixel, blending by the colour's alpha; pixels outside the image are skipped. */
export function blendPixel(
  image: RgbaImage,
  x: number,
  y: number,
  rgba: readonly [number, number, number, number],
): void {
  if (x < 0 || y < 0 || x >= image.width || y >= image.height) return;
  const i = (y * image.width + x) * 4;
  const a = rgba[3] / 255;
  for (let c = 0; c < 3; c++) {
    const under = image.data[i + c] ?? 0;
    image.data[i + c] = Math.round(under + a * ((rgba[c] ?? 0) - under));
  }
  image.data[i + 3] = Math.max(image.data[i + 3] ?? 0, rgba[3]);
}

/**
 * Fills a rectangle in place (clipped to the image; translucent colours blend).
 *
 * @example
 * fillRect(canvas, 10, 10, 40, 20, '#ff000080');
 */
export function fillRect(
  image: RgbaImage,
  x: number,
  y: number,
  width: number,
  height: number,
  color: Color,
): void {
  const rgba = parseColor(color);
  const x0 = Math.max(0, Math.round(x));
  const y0 = Math.max(0, Math.round(y));
  const x1 = Math.min(image.width, Math.round(x + width));
  const y1 = Math.min(image.height, Math.round(y + height));
  for (let py = y0; py < y1; py++) for (let px = x0; px < x1; px++) blendPixel(image, px, py, rgba);
}

/**
 * Draws a straight line in place, `thickness` pixels wide (a square brush; no anti-aliasing).
 *
 * @example
 * drawLine(canvas, 0, 0, 99, 49, '#1f77b4', 2);
 */
export function drawLine(
  image: RgbaImage,
  x0: number,
  y0: number,
  x1: number,
  y1: number,
  color: Color,
  thickness = 1,
): void {
  const rgba = parseColor(color);
  const steps = Math.max(1, Math.ceil(Math.max(Math.abs(x1 - x0), Math.abs(y1 - y0))));
  const offset = Math.floor((thickness - 1) / 2);
  // One brush stamp per step along the longer axis; a pixel stamped twice would darken translucent lines,
  // so remember what was painted.
  const painted = new Set<number>();
  for (let s = 0; s <= steps; s++) {
    const cx = Math.round(x0 + ((x1 - x0) * s) / steps) - offset;
    const cy = Math.round(y0 + ((y1 - y0) * s) / steps) - offset;
    for (let dy = 0; dy < thickness; dy++) {
      for (let dx = 0; dx < thickness; dx++) {
        const key = (cy + dy) * (image.width + 1) + cx + dx;
        if (painted.has(key)) continue;
        painted.add(key);
        blendPixel(image, cx + dx, cy + dy, rgba);
      }
    }
  }
}

/**
 * Copies `source` into `target` in place with its top-left corner at `(x, y)`, clipped, blending by the
 * source's alpha.
 *
 * @example
 * drawImage(grid, heatmap(map), 4, 4);
 */
export function drawImage(target: RgbaImage, source: RgbaImage, x: number, y: number): void {
  for (let sy = 0; sy < source.height; sy++) {
    const ty = y + sy;
    if (ty < 0 || ty >= target.height) continue;
    for (let sx = 0; sx < source.width; sx++) {
      const tx = x + sx;
      if (tx < 0 || tx >= target.width) continue;
      const s = (sy * source.width + sx) * 4;
      const alpha = source.data[s + 3] ?? 0;
      if (alpha === 255) target.data.set(source.data.subarray(s, s + 4), (ty * target.width + tx) * 4);
      else if (alpha > 0) {
        blendPixel(target, tx, ty, [
          source.data[s] ?? 0,
          source.data[s + 1] ?? 0,
          source.data[s + 2] ?? 0,
          alpha,
        ]);
      }
    }
  }
}
