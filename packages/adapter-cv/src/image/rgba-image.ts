import { CvError } from '../errors.js';

/**
 * An 8-bit RGBA image, row-major: pixel `(x, y)` is `data[4 * (y * width + x) + c]` for channel `c` (R, G,
 * B, A). What the decoders return and the renderers draw into.
 *
 * @example
 * const image: RgbaImage = { width: 2, height: 1, data: new Uint8Array([255, 0, 0, 255, 0, 0, 255, 255]) };
 */
export interface RgbaImage {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

/**
 * A new `width × height` image filled with one RGBA colour (default opaque white).
 *
 * @example
 * const canvas = createImage(64, 32, [0, 0, 0, 255]); // opaque black
 */
export function createImage(
  width: number,
  height: number,
  fill: readonly [number, number, number, number] = [255, 255, 255, 255],
): RgbaImage {
  checkSize(width, height, 'createImage');
  const data = new Uint8Array(width * height * 4);
  for (let i = 0; i < data.length; i += 4) data.set(fill, i);
  return { width, height, data };
}

function checkSize(width: number, height: number, where: string): void {
  if (!Number.isSafeInteger(width) || !Number.isSafeInteger(height) || width < 1 || height < 1) {
    throw new CvError('E_CV_IMAGE', {
      what: `An image size must be whole numbers ≥ 1, got ${width}×${height}`,
      where,
      fix: 'Pass positive integer width and height.',
    });
  }
}

/** Throws unless `image` is a well-formed {@link RgbaImage}: whole-number size and 4 bytes per pixel. */
export function checkImage(image: RgbaImage, where: string): void {
  if (typeof image !== 'object' || (image as unknown) === null || !(image.data instanceof Uint8Array)) {
    throw new CvError('E_CV_IMAGE', {
      what: 'Expected an RgbaImage { width, height, data: Uint8Array }',
      where,
      fix: 'Decode files with readImage or decodeImage.',
    });
  }
  checkSize(image.width, image.height, where);
  if (image.data.length !== image.width * image.height * 4) {
    throw new CvError('E_CV_IMAGE', {
      what: `A ${image.width}×${image.height} RGBA image needs ${image.width * image.height * 4} bytes, its data has ${image.data.length}`,
      where,
      fix: 'Give 4 bytes (R, G, B, A) per pixel, row by row.',
    });
  }
}
