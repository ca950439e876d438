import { encode as encodeJpegBytes } from 'jpeg-js';
import { PNG } from 'pngjs';

import { CvError } from '../errors.js';
import { checkImage, type RgbaImage } from './rgba-image.js';

/**
 * Encodes an image as an 8-bit RGBA PNG (lossless; alpha kept).
 *
 * @example
 * await writeFile('heatmap.png', encodePng(heatmap(map)));
 */
export function encodePng(image: RgbaImage): Uint8Array {
  checkImage(image, 'encodePng');
  const png = new PNG({ width: image.width, height: image.height });
  png.data = Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength);
  const buffer = PNG.sync.write(png, { colorType: 6 });
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

/**
 * Encodes an image as a baseline JPEG (lossy; alpha dropped). `quality` is 1–100, default 90.
 *
 * @example
 * await writeFile('overlay.jpg', encodeJpeg(overlay(photo, cam), 85));
 */
export function encodeJpeg(image: RgbaImage, quality = 90): Uint8Array {
  checkImage(image, 'encodeJpeg');
  if (!Number.isFinite(quality) || quality < 1 || quality > 100) {
    throw new CvError('E_CV_IMAGE', {
      what: `JPEG quality must be in [1, 100], got ${quality}`,
      where: 'encodeJpeg quality',
      fix: 'Use e.g. 90.',
    });
  }
  const jpeg = encodeJpegBytes({ width: image.width, height: image.height, data: image.data }, quality);
  return new Uint8Array(jpeg.data.buffer, jpeg.data.byteOffset, jpeg.data.byteLength);
}
