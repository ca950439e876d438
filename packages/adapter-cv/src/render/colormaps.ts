import { CvError } from '../errors.js';
import { parseColor, type Rgba } from './color.js';

/**
 * Names of the built-in colour maps. Signed (diverging, 0 in the middle): `bwr` (blue–white–red, zennit's
 * and captum's usual choice), `coolwarm` (Moreland's softer diverging map), `coldnhot` (cyan–blue–black–
 * red–yellow, for dark backgrounds). Positive (sequential): `inferno`, `magma`, `viridis` (perceptually
 * uniform, after matplotlib), `heat` (black–red–yellow–white), `gray`.
 *
 * @example
 * const name: ColormapName = 'bwr';
 */
export type ColormapName =
  'bwr' | 'coolwarm' | 'coldnhot' | 'inferno' | 'magma' | 'viridis' | 'heat' | 'gray';

/**
 * A colour map as a 256-entry lookup table: entry `i` is `lut[3i], lut[3i+1], lut[3i+2]` (RGB).
 *
 * @example
 * const lut: ColormapLut = colormaps.viridis; // lut.length === 768
 */
export type ColormapLut = Uint8Array;

/**
 * A colour map anchor: the colour at `position` in [0, 1]; colours in between are interpolated linearly.
 *
 * @example
 * const stops: ColormapStop[] = [[0, '#000'], [1, '#fff']];
 */
export type ColormapStop = readonly [position: number, color: string];

/**
 * A 256-entry lookup table from anchor stops (positions ascending from 0 to 1), entry `i` sampled at
 * `i / 255`.
 *
 * @example
 * const greenToPink = createColormap([[0, '#00ff00'], [1, '#ff00ff']]);
 */
export function createColormap(stops: readonly ColormapStop[]): ColormapLut {
  const ok =
    stops.length >= 2 &&
    stops[0]?.[0] === 0 &&
    stops[stops.length - 1]?.[0] === 1 &&
    stops.every(([position], i) => i === 0 || position >= (stops[i - 1]?.[0] ?? 0));
  if (!ok) {
    throw new CvError('E_CV_IMAGE', {
      what: 'Colour map stops must start at position 0, end at 1 and ascend',
      where: 'createColormap stops',
      fix: "E.g. [[0, '#0000ff'], [0.5, '#ffffff'], [1, '#ff0000']].",
    });
  }
  const colors = stops.map(([position, color]) => [position, parseColor(color)] as const);
  const lut = new Uint8Array(256 * 3);
  for (let i = 0; i < 256; i++) {
    const t = i / 255;
    const upper = Math.max(
      1,
      colors.findIndex(([position]) => position >= t),
    );
    const [p0, c0] = colors[upper - 1] as readonly [number, Rgba];
    const [p1, c1] = colors[upper] as readonly [number, Rgba];
    const f = p1 === p0 ? 1 : (t - p0) / (p1 - p0);
    for (let c = 0; c < 3; c++) {
      const from = c0[c] ?? 0;
      lut[i * 3 + c] = Math.round(from + f * ((c1[c] ?? 0) - from));
    }
  }
  return lut;
}

const evenly = (colors: readonly string[]): ColormapStop[] =>
  colors.map((color, i) => [i / (colors.length - 1), color] as const);

/**
 * The built-in colour maps (see {@link ColormapName}) as 256-entry RGB lookup tables. The sequential
 * maps are 11 samples of matplotlib's, interpolated.
 *
 * @example
 * const [r, g, b] = colormaps.bwr.subarray(255 * 3); // the last colour: red
 */
export const colormaps: Readonly<Record<ColormapName, ColormapLut>> = {
  bwr: createColormap([
    [0, '#0000ff'],
    [0.5, '#ffffff'],
    [1, '#ff0000'],
  ]),
  coolwarm: createColormap(evenly(['#3b4cc0', '#7b9ff9', '#dddddd', '#f49a7b', '#b40426'])),
  coldnhot: createColormap(evenly(['#00ffff', '#0000ff', '#000000', '#ff0000', '#ffff00'])),
  inferno: createColormap(
    evenly([
      '#000004',
      '#160b39',
      '#420a68',
      '#6a176e',
      '#932667',
      '#bc3754',
      '#dd513a',
      '#f37819',
      '#fca50a',
      '#f6d746',
      '#fcffa4',
    ]),
  ),
  magma: createColormap(
    evenly([
      '#000004',
      '#140e36',
      '#3b0f70',
      '#641a80',
      '#8c2981',
      '#b73779',
      '#de4968',
      '#f7705c',
      '#fe9f6d',
      '#fecf92',
      '#fcfdbf',
    ]),
  ),
  viridis: createColormap(
    evenly([
      '#440154',
      '#482475',
      '#414487',
      '#355f8d',
      '#2a788e',
      '#21918c',
      '#22a884',
      '#44bf70',
      '#7ad151',
      '#bddf26',
      '#fde725',
    ]),
  ),
  heat: createColormap([
    [0, '#000000'],
    [0.4, '#e60000'],
    [0.75, '#ffd200'],
    [1, '#ffffff'],
  ]),
  gray: createColormap([
    [0, '#000000'],
    [1, '#ffffff'],
  ]),
};

/** The lookup table of a colour map name or a table given directly. */
export function colormapLut(colormap: ColormapName | ColormapLut, where: string): ColormapLut {
  if (colormap instanceof Uint8Array && colormap.length === 768) return colormap;
  if (typeof colormap === 'string' && Object.hasOwn(colormaps, colormap)) return colormaps[colormap];
  throw new CvError('E_CV_IMAGE', {
    what: `Unknown colour map ${typeof colormap === 'string' ? JSON.stringify(colormap) : 'table'}`,
    where,
    fix: `Use one of ${Object.keys(colormaps).join(', ')}, or a 768-byte table from createColormap.`,
  });
}

/** The LUT index of `t` in [0, 1] (clamped), as matplotlib: `floor(t · 256)`, 1 → 255. */
export function lutIndex(t: number): number {
  return Number.isNaN(t) ? 0 : Math.min(255, Math.max(0, Math.floor(t * 256)));
}

/**
 * The RGB colour a colour map gives `t` in [0, 1] (clamped): 0 the first entry, 0.5 the middle one (what a
 * signed heatmap paints 0 with), 1 the last.
 *
 * @example
 * colormapColor('bwr', 0); // [0, 0, 255]
 */
export function colormapColor(
  colormap: ColormapName | ColormapLut,
  t: number,
): readonly [number, number, number] {
  const lut = colormapLut(colormap, 'colormapColor colormap');
  const i = lutIndex(t) * 3;
  return [lut[i] ?? 0, lut[i + 1] ?? 0, lut[i + 2] ?? 0];
}
