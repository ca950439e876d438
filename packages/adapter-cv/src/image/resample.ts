/**
 * How {@link resizeImage} samples: `bilinear` (half-pixel centres, as `tf.image.resizeBilinear` with
 * `halfPixelCenters`), `nearest` (crisp pixels, for upscaling small images such as 28×28 digits) or `area`
 * (box average, for shrinking photos without aliasing).
 *
 * @example
 * const method: ResizeMethod = 'nearest';
 */
export type ResizeMethod = 'bilinear' | 'nearest' | 'area';

/** For each output index, the source indices and weights it mixes. */
type Taps = readonly (readonly [index: number, weight: number][])[];

function taps(from: number, to: number, method: ResizeMethod): Taps {
  const scale = from / to;
  return Array.from({ length: to }, (_, i): [number, number][] => {
    if (method === 'nearest') return [[Math.min(from - 1, Math.floor((i + 0.5) * scale)), 1]];
    if (method === 'bilinear') {
      const at = Math.min(from - 1, Math.max(0, (i + 0.5) * scale - 0.5));
      const lower = Math.floor(at);
      const upper = Math.min(lower + 1, from - 1);
      return [
        [lower, 1 - (at - lower)],
        [upper, at - lower],
      ];
    }
    const lo = i * scale;
    const hi = (i + 1) * scale;
    const out: [number, number][] = [];
    for (let j = Math.floor(lo); j < Math.min(from, Math.ceil(hi)); j++) {
      out.push([j, (Math.min(hi, j + 1) - Math.max(lo, j)) / scale]);
    }
    return out;
  });
}

/**
 * Resamples interleaved planes (`channels` values per pixel, row-major) to `toWidth × toHeight`: a
 * separable pass along x, then along y. Returns floats; callers round for 8-bit images.
 */
export function resamplePlanes(
  values: ArrayLike<number>,
  width: number,
  height: number,
  channels: number,
  toWidth: number,
  toHeight: number,
  method: ResizeMethod,
): Float32Array {
  const xTaps = taps(width, toWidth, method);
  const yTaps = taps(height, toHeight, method);
  const rows = new Float32Array(height * toWidth * channels);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < toWidth; x++) {
      const out = (y * toWidth + x) * channels;
      for (const [sx, weight] of xTaps[x] ?? []) {
        const src = (y * width + sx) * channels;
        for (let c = 0; c < channels; c++)
          rows[out + c] = (rows[out + c] ?? 0) + weight * (values[src + c] ?? 0);
      }
    }
  }
  const result = new Float32Array(toHeight * toWidth * channels);
  for (let y = 0; y < toHeight; y++) {
    for (const [sy, weight] of yTaps[y] ?? []) {
      const src = sy * toWidth * channels;
      const out = y * toWidth * channels;
      for (let k = 0; k < toWidth * channels; k++) {
        result[out + k] = (result[out + k] ?? 0) + weight * (rows[src + k] ?? 0);
      }
    }
  }
  return result;
}
