import { CvError } from '../errors.js';
import { resamplePlanes } from '../image/resample.js';
import { checkImage, type RgbaImage } from '../image/rgba-image.js';
import { colormapLut, lutIndex } from './colormaps.js';
import { rangeOfValues, rangePosition, type HeatmapOptions } from './heatmap.js';
import { toMapValues, type MapInput } from './map-values.js';

/**
 * Options of {@link overlay}: those of `heatmap` plus how the map is blended.
 *
 * @example
 * const options: OverlayOptions = { alpha: 0.8, colormap: 'inferno', signed: false };
 */
export interface OverlayOptions extends HeatmapOptions {
  /** The opacity of the strongest values, 0–1. Default 0.7. */
  readonly alpha?: number;
  /**
   * `proportional` (default): each pixel's opacity is `alpha · |value| / m`, so low-relevance areas show
   * the photo; `constant`: `alpha` everywhere (the classic Grad-CAM look).
   */
  readonly blend?: 'proportional' | 'constant';
  /** How the map is resized to the image. Default `bilinear` (smooth Grad-CAM maps). */
  readonly resize?: 'bilinear' | 'nearest';
  /**
   * How the image shows under the map: `gray` turns it into a light grey (its luminance, faded towards
   * white by 40 %), so thin red and blue detail stays readable on any photo (as captum's blended heat
   * maps); `color` keeps its colours (the classic Grad-CAM look). Default `gray` for signed maps, `color`
   * for positive ones.
   */
  readonly underlay?: 'color' | 'gray';
}

/** The image as a light grey: luminance (ITU-R 601), 40 % of the way to white; alpha kept. */
function lightGray(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(data.length);
  for (let p = 0; p < data.length; p += 4) {
    const luminance = 0.299 * (data[p] ?? 0) + 0.587 * (data[p + 1] ?? 0) + 0.114 * (data[p + 2] ?? 0);
    out.fill(Math.round(255 - 0.6 * (255 - luminance)), p, p + 3);
    out[p + 3] = data[p + 3] ?? 255;
  }
  return out;
}

/**
 * Blends a colour-mapped 2-D map over an image, resizing the map to the image first (Grad-CAM maps are
 * smaller than the input). The colour limit is the map's `clip` percentile, as in `heatmap`; signed maps
 * go over a light grey version of the image (`underlay`). The result has the image's size; it carries the
 * map's range for a legend.
 * The map must cover the same region as the image (crop the image as `fit: 'cover'` did, if it was used).
 *
 * @example
 * const photo = await readImage('chelsea.png');
 * const cam = ...; // Grad-CAM map [7, 7]
 * await writePng('cam-overlay.png', overlay(photo, cam, { signed: false, colormap: 'inferno' }));
 */
export function overlay(
  base: RgbaImage,
  map: MapInput,
  options: OverlayOptions = {},
): RgbaImage & { readonly range: readonly [number, number]; readonly signed: boolean } {
  checkImage(base, 'overlay base');
  const values = toMapValues(map, 'overlay map');
  const { alpha = 0.7, blend = 'proportional', resize = 'bilinear' } = options;
  if (!Number.isFinite(alpha) || alpha < 0 || alpha > 1) {
    throw new CvError('E_CV_IMAGE', {
      what: `alpha must be in [0, 1], got ${alpha}`,
      where: 'overlay alpha',
      fix: 'E.g. alpha: 0.7.',
    });
  }
  // Plain JS callers can pass anything.
  const underlayOption: unknown = options.underlay;
  if (underlayOption !== undefined && underlayOption !== 'gray' && underlayOption !== 'color') {
    throw new CvError('E_CV_IMAGE', {
      what: `underlay must be 'gray' or 'color', got ${JSON.stringify(underlayOption)}`,
      where: 'overlay underlay',
      fix: "E.g. underlay: 'color' to keep the photo's colours.",
    });
  }
  // The range comes from the map at its own resolution: resizing must not change the colour scale.
  const { range, signed } = rangeOfValues(values, options, 'overlay');
  const lut = colormapLut(options.colormap ?? (signed ? 'bwr' : 'inferno'), 'overlay colormap');
  const resized = resamplePlanes(
    values.values,
    values.width,
    values.height,
    1,
    base.width,
    base.height,
    resize,
  );
  const top = Math.max(Math.abs(range[0]), Math.abs(range[1]));
  const underlay = options.underlay ?? (signed ? 'gray' : 'color');
  // A fresh copy either way, blended in place: each pixel is read before it is written.
  const data = underlay === 'gray' ? lightGray(base.data) : new Uint8Array(base.data);
  for (let p = 0; p < resized.length; p++) {
    const value = resized[p] ?? 0;
    const strength = signed ? Math.abs(value) / top : Math.max(0, value - range[0]) / (range[1] - range[0]);
    const a = blend === 'constant' ? alpha : alpha * Math.min(1, Number.isNaN(strength) ? 0 : strength);
    const i = lutIndex(rangePosition(value, range)) * 3;
    for (let c = 0; c < 3; c++) {
      const below = data[p * 4 + c] ?? 0;
      data[p * 4 + c] = Math.round(below + a * ((lut[i + c] ?? 0) - below));
    }
  }
  return { width: base.width, height: base.height, data, range, signed };
}
