import { decode as decodeJpegBytes } from 'jpeg-js';
import { PNG } from 'pngjs';

import { CvError } from '../errors.js';
import type { RgbaImage } from './rgba-image.js';

/**
 * The image formats {@link decodeImage} reads, recognised by their first bytes.
 *
 * @example
 * const format: ImageFormat | undefined = sniffImageFormat(bytes);
 */
export type ImageFormat = 'png' | 'jpeg';

const pngSignature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** Formats people try that we do not read, so the error can name them. */
const otherFormats: readonly (readonly [string, readonly number[]])[] = [
  ['GIF', [0x47, 0x49, 0x46, 0x38]],
  ['WebP (RIFF)', [0x52, 0x49, 0x46, 0x46]],
  ['BMP', [0x42, 0x4d]],
  ['TIFF', [0x49, 0x49, 0x2a, 0x00]],
  ['TIFF', [0x4d, 0x4d, 0x00, 0x2a]],
];

function startsWith(bytes: Uint8Array, prefix: readonly number[]): boolean {
  return bytes.length >= prefix.length && prefix.every((byte, index) => bytes[index] === byte);
}

/**
 * The format of encoded image bytes from their magic number, or `undefined` if neither PNG nor JPEG.
 *
 * @example
 * sniffImageFormat(new Uint8Array([0xff, 0xd8, 0xff, 0xe0])); // 'jpeg'
 */
export function sniffImageFormat(bytes: Uint8Array): ImageFormat | undefined {
  if (startsWith(bytes, pngSignature)) return 'png';
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'jpeg';
  return undefined;
}

function unsupported(bytes: Uint8Array, source: string): CvError {
  const known = otherFormats.find(([, magic]) => startsWith(bytes, magic))?.[0];
  const head = Array.from(bytes.subarray(0, 4), (byte) => byte.toString(16).padStart(2, '0')).join(' ');
  const what =
    bytes.length === 0
      ? `${source} is empty, not an image`
      : known === undefined
        ? `${source} is not a PNG or JPEG image (it starts with bytes ${head})`
        : `${source} is a ${known} image, which is not supported`;
  return new CvError('E_CV_IMAGE', {
    what,
    where: source,
    fix: 'PNG and JPEG are supported: convert the image to one of them (e.g. `magick in.webp out.png`).',
  });
}

function nodeBuffer(bytes: Uint8Array): Buffer {
  // A view, not a copy: the decoders only read.
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function decodePng(bytes: Uint8Array): RgbaImage {
  // pngjs expands grey, grey+alpha, palette and 16-bit images to 8-bit RGBA.
  const png = PNG.sync.read(nodeBuffer(bytes));
  return { width: png.width, height: png.height, data: new Uint8Array(png.data) };
}

function decodeJpeg(bytes: Uint8Array): RgbaImage {
  const jpeg = decodeJpegBytes(bytes, { useTArray: true, formatAsRGBA: true });
  return { width: jpeg.width, height: jpeg.height, data: jpeg.data };
}

/**
 * Decodes PNG or JPEG bytes (recognised by their magic number, not a file extension) into an 8-bit RGBA
 * image. Grey, palette and 16-bit PNGs come out as 8-bit RGBA; JPEGs get alpha 255.
 *
 * @param source - names the bytes in error messages, e.g. the file they came from.
 * @throws CvError `E_CV_IMAGE` if the bytes are neither PNG nor JPEG, or are corrupt.
 *
 * @example
 * const image = decodeImage(await readFile('cat.jpg'), 'cat.jpg');
 * console.log(image.width, image.height);
 */
export function decodeImage(bytes: Uint8Array, source = 'the image bytes'): RgbaImage {
  const format = sniffImageFormat(bytes);
  if (format === undefined) throw unsupported(bytes, source);
  try {
    return format === 'png' ? decodePng(bytes) : decodeJpeg(bytes);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new CvError('E_CV_IMAGE', {
      what: `${source} starts like a ${format.toUpperCase()} but cannot be decoded (${reason})`,
      where: source,
      fix: 'The file is probably truncated or corrupt: re-export it as PNG or JPEG.',
      cause: error,
    });
  }
}
