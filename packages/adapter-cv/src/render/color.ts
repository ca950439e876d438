import { CvError } from '../errors.js';

/**
 * A colour: `#rgb`, `#rrggbb` or `#rrggbbaa` hex, or `[r, g, b]` / `[r, g, b, a]` with 0–255 components.
 *
 * @example
 * const red: Color = '#d62728';
 * const halfBlack: Color = [0, 0, 0, 128];
 */
export type Color = string | readonly [number, number, number] | readonly [number, number, number, number];

/**
 * An RGBA colour with 0–255 integer components, as {@link parseColor} returns.
 *
 * @example
 * const [r, g, b, a]: Rgba = parseColor('#1f77b4');
 */
export type Rgba = readonly [number, number, number, number];

/**
 * The RGBA components of a {@link Color}.
 *
 * @example
 * parseColor('#f80'); // [255, 136, 0, 255]
 */
export function parseColor(color: Color): Rgba {
  if (typeof color !== 'string') {
    const [r, g, b, a = 255] = color;
    const parts = [r, g, b, a].map((v) => Math.min(255, Math.max(0, Math.round(v))));
    if (parts.every((v) => Number.isFinite(v))) return parts as unknown as Rgba;
  } else if (/^#([0-9a-f]{3}|[0-9a-f]{6}|[0-9a-f]{8})$/i.test(color)) {
    const hex = color.length === 4 ? Array.from(color.slice(1), (d) => d + d).join('') : color.slice(1);
    const parts = (hex.match(/../g) ?? []).map((pair) => Number.parseInt(pair, 16));
    return [parts[0] ?? 0, parts[1] ?? 0, parts[2] ?? 0, parts[3] ?? 255];
  }
  throw new CvError('E_CV_IMAGE', {
    what: `Cannot read the colour ${JSON.stringify(color)}`,
    where: 'color',
    fix: "Use hex ('#1f77b4', '#fff', '#00000080') or [r, g, b(, a)] with 0–255 components.",
  });
}

/** Black or white, whichever reads better on `background`. */
export function contrastingColor(background: Rgba): Rgba {
  const luminance = 0.299 * background[0] + 0.587 * background[1] + 0.114 * background[2];
  return luminance > 140 ? [0, 0, 0, 255] : [255, 255, 255, 255];
}
