import { CvError } from '../errors.js';
import type { RgbaImage } from '../image/rgba-image.js';
import { colormapLut, lutIndex, type ColormapLut, type ColormapName } from './colormaps.js';
import { percentile, toMapValues, type MapInput, type MapValues } from './map-values.js';

/**
 * Options of {@link heatmap} and {@link heatmapRange}.
 *
 * @example
 * const options: HeatmapOptions = { colormap: 'coolwarm', clip: 98 };
 */
export interface HeatmapOptions {
  /** Default `bwr` for signed maps, `inferno` for positive ones. */
  readonly colormap?: ColormapName | ColormapLut;
  /**
   * Signed maps get a range symmetric around 0, which takes the colour map's middle; positive maps go from
   * 0 (the first colour) to the top. Default: signed iff the map has a negative value.
   */
  readonly signed?: boolean;
  /**
   * The percentile of `|value|` that gets the extreme colour (the colour limit `m`); larger values are
   * clipped to it, so a few outliers do not wash out the rest (as captum's outlier clipping). Default 99:
   * the top 1 % of values take the extreme colour. `false` or 100 for the maximum.
   */
  readonly clip?: number | false;
  /** `[lo, hi]` to use instead of one computed from the map, e.g. to share a scale between maps. */
  readonly range?: readonly [lo: number, hi: number];
}

/**
 * The value range a heatmap's colours span, for a legend (see `imageGrid`'s `legend`).
 *
 * @example
 * const { range: [lo, hi], signed } = heatmapRange(map); // signed: lo === -hi
 */
export interface HeatmapRange {
  readonly range: readonly [lo: number, hi: number];
  readonly signed: boolean;
}

/**
 * A heatmap image, with the range and colour map it was drawn with (for a legend).
 *
 * @example
 * const image: HeatmapImage = heatmap(map);
 * console.log(image.range, image.colormap);
 */
export interface HeatmapImage extends RgbaImage, HeatmapRange {
  readonly colormap: ColormapName | ColormapLut;
}

/**
 * The default `clip` of {@link heatmap} and `overlay`: the colour limit is the 99th percentile of the
 * map's magnitudes. Read it to state the scale in a legend or a caption.
 *
 * @example
 * const note = `colours saturate at the ${defaultClip}th percentile of |value|`;
 */
export const defaultClip = 99;

function hasNegative(values: ArrayLike<number>): boolean {
  for (let i = 0; i < values.length; i++) if ((values[i] ?? 0) < 0) return true;
  return false;
}

/** The range of plain map values; see {@link heatmapRange}. */
export function rangeOfValues(map: MapValues, options: HeatmapOptions, where: string): HeatmapRange {
  const { range, clip = defaultClip } = options;
  if (range !== undefined) {
    const [lo, hi] = range;
    if (!Number.isFinite(lo) || !Number.isFinite(hi) || lo >= hi) {
      throw new CvError('E_CV_IMAGE', {
        what: `range must be two finite numbers lo < hi, got ${JSON.stringify(range)}`,
        where: `${where} range`,
        fix: 'E.g. range: [-1, 1] for a signed map, [0, 1] for a positive one.',
      });
    }
    return { range: [lo, hi], signed: options.signed ?? lo < 0 };
  }
  if (clip !== false && (!Number.isFinite(clip) || clip <= 0 || clip > 100)) {
    throw new CvError('E_CV_IMAGE', {
      what: `clip must be a percentile in (0, 100] or false, got ${String(clip)}`,
      where: `${where} clip`,
      fix: 'E.g. clip: 99 (the default) or false for the maximum.',
    });
  }
  const signed = options.signed ?? hasNegative(map.values);
  const magnitudes = Float32Array.from(map.values, (v) => (signed ? Math.abs(v) : Math.max(0, v)));
  let top = percentile(magnitudes, clip === false ? 100 : clip);
  // A sparse map can have a zero percentile with a few non-zero values; a zero map still needs a range.
  if (!(top > 0)) top = percentile(magnitudes, 100);
  if (!(top > 0)) top = 1;
  return { range: signed ? [-top, top] : [0, top], signed };
}

/**
 * The value range {@link heatmap} would use for `map` with these options, without drawing it: to draw a
 * legend, or to give several maps one shared scale.
 *
 * @example
 * const shared = heatmapRange(lrpMap, { clip: 99 });
 * const images = [lrpMap, saliencyMap].map((map) => heatmap(map, { range: shared.range }));
 */
export function heatmapRange(map: MapInput, options: HeatmapOptions = {}): HeatmapRange {
  return rangeOfValues(toMapValues(map, 'heatmapRange map'), options, 'heatmapRange');
}

/** Where `value` falls in the range, 0–1 (clamped); NaN counts as 0. */
export function rangePosition(value: number, range: readonly [number, number]): number {
  const v = Number.isNaN(value) ? 0 : value;
  return Math.min(1, Math.max(0, (v - range[0]) / (range[1] - range[0])));
}

/** Paints map values with a colour map into opaque RGBA pixels. */
export function paintValues(
  values: ArrayLike<number>,
  range: readonly [number, number],
  lut: ColormapLut,
): Uint8Array {
  const data = new Uint8Array(values.length * 4);
  for (let p = 0; p < values.length; p++) {
    const i = lutIndex(rangePosition(values[p] ?? 0, range)) * 3;
    data[p * 4] = lut[i] ?? 0;
    data[p * 4 + 1] = lut[i + 1] ?? 0;
    data[p * 4 + 2] = lut[i + 2] ?? 0;
    data[p * 4 + 3] = 255;
  }
  return data;
}

/**
 * Paints a 2-D map (an attribution reduced with {@link attributionMap}, a Grad-CAM map) with a colour map,
 * one pixel per value. Signed maps span `[-m, m]`, positive ones `[0, m]`, `m` the `clip` percentile of the
 * magnitudes; the result carries the range for a legend. Reads tensors synchronously, creates none.
 *
 * @example
 * const map = attributionMap(relevance, { reduce: 'sum' }); // [224, 224]
 * const image = heatmap(map); // bwr: red positive, blue negative, white 0
 * await writePng('lrp.png', image);
 * map.dispose();
 */
export function heatmap(map: MapInput, options: HeatmapOptions = {}): HeatmapImage {
  const values = toMapValues(map, 'heatmap map');
  const { range, signed } = rangeOfValues(values, options, 'heatmap');
  const colormap = options.colormap ?? (signed ? 'bwr' : 'inferno');
  const data = paintValues(values.values, range, colormapLut(colormap, 'heatmap colormap'));
  return { width: values.width, height: values.height, data, range, signed, colormap };
}
