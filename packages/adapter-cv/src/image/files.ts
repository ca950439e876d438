import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

import { CvError } from '../errors.js';
import { decodeImage } from './decode.js';
import { encodeJpeg, encodePng } from './encode.js';
import type { RgbaImage } from './rgba-image.js';

function fileError(error: unknown, path: string, action: 'read' | 'write'): CvError {
  const code = (error as { code?: unknown } | null)?.code;
  const what =
    code === 'ENOENT' && action === 'read'
      ? `No file at ${path}`
      : code === 'EISDIR'
        ? `${path} is a folder, not an image file`
        : `Cannot ${action} ${path} (${error instanceof Error ? error.message : String(error)})`;
  return new CvError('E_CV_FILE', {
    what,
    where: path,
    fix:
      action === 'read'
        ? `Check the path; relative paths start from the current folder (${process.cwd()}).`
        : 'Check that the folder is writable and the path is not a folder.',
    cause: error,
  });
}

/**
 * Reads a PNG or JPEG file into an 8-bit RGBA image (the format comes from the file's bytes, not its name).
 *
 * @throws CvError `E_CV_FILE` if the file is missing or unreadable, `E_CV_IMAGE` if it is not a PNG or JPEG.
 *
 * @example
 * const photo = await readImage('photos/chelsea.png'); // { width: 451, height: 300, data }
 */
export async function readImage(path: string): Promise<RgbaImage> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw fileError(error, path, 'read');
  }
  return decodeImage(bytes, path);
}

async function writeBytes(path: string, bytes: Uint8Array): Promise<void> {
  try {
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, bytes);
  } catch (error) {
    throw fileError(error, path, 'write');
  }
}

/**
 * Writes an image as a PNG file, creating missing parent folders.
 *
 * @example
 * await writePng('out/cat-heatmap.png', heatmap(map));
 */
export async function writePng(path: string, image: RgbaImage): Promise<void> {
  await writeBytes(path, encodePng(image));
}

/**
 * Writes an image as a JPEG file (quality 1–100, default 90), creating missing parent folders.
 *
 * @example
 * await writeJpeg('out/cat-overlay.jpg', overlay(photo, cam));
 */
export async function writeJpeg(path: string, image: RgbaImage, quality = 90): Promise<void> {
  await writeBytes(path, encodeJpeg(image, quality));
}
