import type { RgbaImage } from '../image/rgba-image.js';
import { parseColor, type Color } from './color.js';
import { blendPixel, fillRect } from './draw.js';
import { glyph, glyphDescent, glyphGap, glyphHeight, glyphWidth, lineGap } from './font.js';

/**
 * Options of {@link drawText}.
 *
 * @example
 * const options: TextOptions = { color: '#333', scale: 2 };
 */
export interface TextOptions {
  /** Default black. */
  readonly color?: Color;
  /** Whole-number magnification of the 5×7 font; 1 gives 7-pixel capitals. Default 1. */
  readonly scale?: number;
  /** Fills the text's box first. Default none. */
  readonly background?: Color;
  /** Draws the text turned 90° anticlockwise, reading upwards (y-axis labels). Default false. */
  readonly vertical?: boolean;
}

/**
 * The size in pixels {@link drawText} gives `text` (lines split at `\n`): width × height, before turning
 * for `vertical`. The height runs from the top of the capitals to the bottom of the descenders (g, p, y):
 * 9 pixels for one line at scale 1, 10 more per extra line.
 *
 * @example
 * const { width } = measureText('cat 0.93', 2); // 8 glyphs · 6 · 2 − 2 = 94
 */
export function measureText(text: string, scale = 1): { width: number; height: number } {
  const s = Math.max(1, Math.round(scale));
  const lines = text.split('\n');
  const longest = Math.max(...lines.map((line) => Array.from(line).length));
  return {
    width: longest === 0 ? 0 : (longest * (glyphWidth + glyphGap) - glyphGap) * s,
    height: (lines.length * (glyphHeight + lineGap) - lineGap + glyphDescent) * s,
  };
}

/**
 * Draws text in place with the built-in 5×7 bitmap font (printable ASCII; other characters show as '?'),
 * top-left corner at `(x, y)`, clipped to the image.
 *
 * @example
 * drawText(image, 'LRP (epsilon)', 4, 4, { color: '#000', scale: 2 });
 */
export function drawText(
  image: RgbaImage,
  text: string,
  x: number,
  y: number,
  options: TextOptions = {},
): void {
  const s = Math.max(1, Math.round(options.scale ?? 1));
  const rgba = parseColor(options.color ?? '#000000');
  const size = measureText(text, s);
  const vertical = options.vertical ?? false;
  if (options.background !== undefined) {
    const [w, h] = vertical ? [size.height, size.width] : [size.width, size.height];
    fillRect(image, x, y, w, h, options.background);
  }
  // Font pixel (u, v) of the unturned text lands at (x + u, y + v), or turned at (x + v, y + width − 1 − u).
  const plot = (u: number, v: number): void => {
    if (vertical) blendPixel(image, x + v, y + size.width - 1 - u, rgba);
    else blendPixel(image, x + u, y + v, rgba);
  };
  text.split('\n').forEach((line, row) => {
    Array.from(line).forEach((char, column) => {
      const rows = glyph(char);
      const left = column * (glyphWidth + glyphGap) * s;
      const top = row * (glyphHeight + lineGap) * s;
      rows.forEach((bits, gy) => {
        for (let gx = 0; gx < glyphWidth; gx++) {
          if ((bits & (1 << (glyphWidth - 1 - gx))) === 0) continue;
          for (let dy = 0; dy < s; dy++)
            for (let dx = 0; dx < s; dx++) plot(left + gx * s + dx, top + gy * s + dy);
        }
      });
    });
  });
}

/** `text` shortened with '…' to fit `width` pixels at `scale`. */
export function fitText(text: string, width: number, scale: number): string {
  if (measureText(text, scale).width <= width) return text;
  const chars = Array.from(text);
  while (chars.length > 0 && measureText(`${chars.join('')}…`, scale).width > width) chars.pop();
  return chars.length === 0 ? '' : `${chars.join('')}…`;
}

/**
 * `text` broken into lines at spaces so that each fits `width` pixels at `scale` (a word longer than the
 * width is shortened with '…'); `\n` in `text` also breaks a line.
 */
export function wrapText(text: string, width: number, scale: number): string {
  const lines: string[] = [];
  for (const paragraph of text.split('\n')) {
    let line = '';
    for (const word of paragraph.split(' ')) {
      const candidate = line === '' ? word : `${line} ${word}`;
      if (line !== '' && measureText(candidate, scale).width > width) {
        lines.push(line);
        line = fitText(word, width, scale);
      } else {
        line = line === '' ? fitText(word, width, scale) : candidate;
      }
    }
    lines.push(line);
  }
  return lines.join('\n');
}
