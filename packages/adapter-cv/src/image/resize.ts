import { CvError } from '../errors.js';
import { resamplePlanes, type ResizeMethod } from './resample.js';
import { checkImage, type RgbaImage } from './rgba-image.js';

/**
 * Resizes an image in plain JavaScript (no tensors): `bilinear` (default) for maps and overlays, `nearest`
 * to keep pixels crisp when enlarging small images, `area` to shrink photos smoothly.
 *
 * @example
 * const big = resizeImage(digit, 112, 112, 'nearest'); // 28×28 → 112×112, blocky on purpose
 */
export function resizeImage(
  image: RgbaImage,
  width: number,
  height: number,
  method: ResizeMethod = 'bilinear',
): RgbaImage {
  checkImage(image, 'resizeImage image');
  if (!Number.isSafeInteger(width) || !Number.isSafeInteger(height) || width < 1 || height < 1) {
    throw new CvError('E_CV_IMAGE', {
      what: `The target size must be whole numbers ≥ 1, got ${width}×${height}`,
      where: 'resizeImage width, height',
      fix: 'Pass positive integers.',
    });
  }
  if (width === image.width && height === image.height) {
    return { width, height, data: image.data.slice() };
  }
  const values = resamplePlanes(image.data, image.width, image.height, 4, width, height, method);
  // Uint8Array.from clamps nothing, so round and clamp here.
  const data = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) data[i] = Math.min(255, Math.max(0, Math.round(values[i] ?? 0)));
  return { width, height, data };
}
