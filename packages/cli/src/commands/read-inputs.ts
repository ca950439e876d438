import { basename } from 'node:path';

import { readImage, resizeImage, type RgbaImage } from '@tdhook/adapter-cv';

import { explainLimits } from '../limits.js';

/**
 * Reads the input images; one larger than {@link explainLimits}' `imageSide` on a side is downscaled (area
 * average, aspect kept) with a warning, so that a huge photo cannot take the memory that the model needs:
 * the model sees a few hundred pixels at most, and the overlay is drawn at the downscaled size.
 *
 * @example
 * const images = await readInputs(['cat.png'], (message) => console.warn(message));
 */
export async function readInputs(
  paths: readonly string[],
  warn: (message: string) => void,
): Promise<RgbaImage[]> {
  const images: RgbaImage[] = [];
  for (const path of paths) {
    const image = await readImage(path);
    const side = Math.max(image.width, image.height);
    if (side <= explainLimits.imageSide) {
      images.push(image);
      continue;
    }
    const scale = explainLimits.imageSide / side;
    const width = Math.max(1, Math.round(image.width * scale));
    const height = Math.max(1, Math.round(image.height * scale));
    warn(
      `${basename(path)} is ${image.width}×${image.height} pixels, more than ${explainLimits.imageSide} on a side: it is downscaled to ${width}×${height} first`,
    );
    images.push(resizeImage(image, width, height, 'area'));
  }
  return images;
}
