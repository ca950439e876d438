import type * as tf from '@tensorflow/tfjs-core';

import { CvError } from '../errors.js';
import { resolveNormalisation, type Normalisation, type NormalisationName } from './normalisation.js';
import type { RgbaImage } from './rgba-image.js';

/**
 * Options of {@link tensorToImage}.
 *
 * @example
 * const options: TensorToImageOptions = { normalisation: 'imagenet' };
 */
export interface TensorToImageOptions {
  /** The normalisation the tensor was made with, undone here. Default `unit`. */
  readonly normalisation?: NormalisationName | Normalisation;
}

/**
 * Turns one model input back into a viewable image: `[height, width, channels]` or a batch of one
 * `[1, height, width, channels]`, with 1 (grey), 3 (RGB) or 4 (RGBA) channels. Undoes the normalisation,
 * rounds and clamps to 0–255. Reads the tensor synchronously and creates no tensors.
 *
 * @example
 * const x = imagesToTensor([photo], { size: [224, 224], normalisation: 'symmetric' });
 * const seen = tensorToImage(x, { normalisation: 'symmetric' }); // what the model saw, 224×224
 */
export function tensorToImage(
  tensor: tf.Tensor3D | tf.Tensor4D,
  options: TensorToImageOptions = {},
): RgbaImage {
  const shape = tensor.rank === 4 && tensor.shape[0] === 1 ? tensor.shape.slice(1) : tensor.shape;
  const [height = 0, width = 0, channels = 0] = shape;
  if (shape.length !== 3 || ![1, 3, 4].includes(channels) || height < 1 || width < 1) {
    throw new CvError('E_CV_IMAGE', {
      what: `Cannot make an image of a tensor of shape ${JSON.stringify(tensor.shape)}`,
      where: 'tensorToImage tensor',
      fix: 'Pass [height, width, 1|3|4] or a batch of one [1, height, width, 1|3|4]; slice bigger batches first.',
    });
  }
  const colour = channels === 4 ? 3 : channels;
  const norm = resolveNormalisation(options.normalisation ?? 'unit', colour, 'tensorToImage normalisation');
  const values = tensor.dataSync();
  const data = new Uint8Array(width * height * 4);
  const toPixel = (value: number, c: number): number =>
    Math.min(255, Math.max(0, Math.round((value * (norm.std[c] ?? 1) + (norm.mean[c] ?? 0)) / norm.scale)));
  for (let p = 0; p < width * height; p++) {
    const src = p * channels;
    const out = p * 4;
    if (colour === 1) {
      const grey = toPixel(values[src] ?? 0, 0);
      data[out] = grey;
      data[out + 1] = grey;
      data[out + 2] = grey;
    } else {
      for (let c = 0; c < 3; c++) data[out + c] = toPixel(values[src + c] ?? 0, c);
    }
    // A fourth channel is alpha in pixel units, not normalised.
    data[out + 3] = channels === 4 ? Math.min(255, Math.max(0, Math.round(values[src + 3] ?? 255))) : 255;
  }
  return { width, height, data };
}
