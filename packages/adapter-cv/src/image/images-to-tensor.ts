import * as tf from '@tensorflow/tfjs-core';

import { CvError } from '../errors.js';
import { readImage } from './files.js';
import { resolveNormalisation, type Normalisation, type NormalisationName } from './normalisation.js';
import { checkImage, type RgbaImage } from './rgba-image.js';

/**
 * How an image meets a model's input size: `stretch` resizes to it (aspect ratio lost), `cover` crops the
 * centre to the input's aspect ratio and then resizes (nothing distorted, edges lost), `contain` resizes to
 * fit inside and pads the rest (letterbox; nothing lost).
 *
 * @example
 * const fit: ImageFit = 'cover';
 */
export type ImageFit = 'stretch' | 'cover' | 'contain';

/**
 * The defaults of {@link ImageTensorOptions} that other APIs take over (`explainDefaults` and so
 * `tdhook explain`), written here only.
 *
 * @example
 * imageTensorDefaults.fit; // 'stretch'
 */
export const imageTensorDefaults: { readonly normalisation: NormalisationName; readonly fit: ImageFit } =
  Object.freeze({ normalisation: 'unit', fit: 'stretch' });

/**
 * Options of {@link imagesToTensor} and {@link readImageBatch}.
 *
 * @example
 * const mobilenet: ImageTensorOptions = { size: [224, 224], fit: 'cover', normalisation: 'symmetric' };
 * const mnist: ImageTensorOptions = { size: [28, 28], channels: 1, invert: true };
 */
export interface ImageTensorOptions {
  /** `[height, width]` of the model input. Default: the images' own size (they must then all agree). */
  readonly size?: readonly [height: number, width: number];
  /** How images of another aspect ratio meet `size`. Default `stretch`. */
  readonly fit?: ImageFit;
  /** 3 for RGB, 1 for grey (luminance `0.299 R + 0.587 G + 0.114 B`). Default 3. Alpha is dropped. */
  readonly channels?: 1 | 3;
  /** A preset name from {@link normalisations} or `{ scale, mean, std }`. Default `unit` ([0, 1]). */
  readonly normalisation?: NormalisationName | Normalisation;
  /** Use `255 − p`, e.g. dark digits on white paper for a model trained on MNIST's white on black. */
  readonly invert?: boolean;
  /** The pixel value (0–255, after `invert`) `contain` pads with, before normalisation. Default 0 (black). */
  readonly padValue?: number;
}

interface Crop {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/** The centred crop of `image` with the aspect ratio of `size` (the whole image for other fits). */
function cropFor(image: RgbaImage, size: readonly [number, number] | undefined, fit: ImageFit): Crop {
  const whole = { x: 0, y: 0, width: image.width, height: image.height };
  if (fit !== 'cover' || size === undefined) return whole;
  const [h, w] = size;
  if (image.width * h > image.height * w) {
    const width = Math.max(1, Math.round((image.height * w) / h));
    return { ...whole, x: Math.floor((image.width - width) / 2), width };
  }
  const height = Math.max(1, Math.round((image.width * h) / w));
  return { ...whole, y: Math.floor((image.height - height) / 2), height };
}

/** Pixel values (0–255 floats) of the crop, grey or RGB, inverted if asked: the per-pixel linear steps. */
function cropPixels(image: RgbaImage, crop: Crop, channels: 1 | 3, invert: boolean): Float32Array {
  const out = new Float32Array(crop.width * crop.height * channels);
  let k = 0;
  for (let y = crop.y; y < crop.y + crop.height; y++) {
    for (let x = crop.x; x < crop.x + crop.width; x++) {
      const i = (y * image.width + x) * 4;
      const r = image.data[i] ?? 0;
      const g = image.data[i + 1] ?? 0;
      const b = image.data[i + 2] ?? 0;
      if (channels === 1) {
        const grey = 0.299 * r + 0.587 * g + 0.114 * b;
        out[k++] = invert ? 255 - grey : grey;
      } else {
        out[k++] = invert ? 255 - r : r;
        out[k++] = invert ? 255 - g : g;
        out[k++] = invert ? 255 - b : b;
      }
    }
  }
  return out;
}

function resize(image: tf.Tensor3D, size: readonly [number, number]): tf.Tensor3D {
  const [h, w] = image.shape;
  if (h === size[0] && w === size[1]) return image;
  // Half-pixel centres: what TF ≥ 2 (tf.image.resize), PIL and PyTorch (align_corners=False) use.
  return tf.image.resizeBilinear(image, [size[0], size[1]], false, true);
}

function letterbox(image: tf.Tensor3D, size: readonly [number, number], padValue: number): tf.Tensor3D {
  const [h, w] = image.shape;
  const scale = Math.min(size[0] / h, size[1] / w);
  const inner: [number, number] = [
    Math.max(1, Math.min(size[0], Math.round(h * scale))),
    Math.max(1, Math.min(size[1], Math.round(w * scale))),
  ];
  const top = Math.floor((size[0] - inner[0]) / 2);
  const left = Math.floor((size[1] - inner[1]) / 2);
  return tf.pad(
    resize(image, inner),
    [
      [top, size[0] - inner[0] - top],
      [left, size[1] - inner[1] - left],
      [0, 0],
    ],
    padValue,
  );
}

/** `Array.isArray` without its narrowing to `any[]`, which would untype the checks after it. */
function isList(value: unknown): boolean {
  return Array.isArray(value);
}

function checkOptions(images: readonly RgbaImage[], options: ImageTensorOptions): readonly [number, number] {
  const where = 'imagesToTensor';
  if (!isList(images) || images.length === 0) {
    throw new CvError('E_CV_IMAGE', {
      what: 'No images to make a batch of',
      where: `${where} images`,
      fix: 'Pass a non-empty array of RgbaImage (from readImage or decodeImage).',
    });
  }
  images.forEach((image, index) => {
    checkImage(image, `${where} images[${index}]`);
  });
  const { size, fit = imageTensorDefaults.fit, padValue = 0 } = options;
  // Read as unknown: callers from plain JavaScript (the CLI) can pass anything.
  const channels: unknown = options.channels ?? 3;
  if (!['stretch', 'cover', 'contain'].includes(fit)) {
    throw new CvError('E_CV_IMAGE', {
      what: `Unknown fit ${JSON.stringify(fit)}`,
      where: `${where} fit`,
      fix: "Use 'stretch', 'cover' or 'contain'.",
    });
  }
  if (channels !== 1 && channels !== 3) {
    throw new CvError('E_CV_IMAGE', {
      what: `channels must be 1 or 3, got ${JSON.stringify(channels)}`,
      where: `${where} channels`,
      fix: 'Use 3 for RGB models, 1 for grey ones such as MNIST.',
    });
  }
  if (!Number.isFinite(padValue)) {
    throw new CvError('E_CV_IMAGE', {
      what: 'padValue must be a number',
      where: `${where} padValue`,
      fix: 'E.g. 0.',
    });
  }
  if (size !== undefined) {
    if (
      !isList(size) ||
      (size as readonly number[]).length !== 2 ||
      size.some((n) => !Number.isSafeInteger(n) || n < 1)
    ) {
      throw new CvError('E_CV_IMAGE', {
        what: `size must be [height, width] in whole pixels, got ${JSON.stringify(size)}`,
        where: `${where} size`,
        fix: 'E.g. size: [224, 224].',
      });
    }
    return size;
  }
  const first = images[0] as RgbaImage;
  const odd = images.findIndex((image) => image.width !== first.width || image.height !== first.height);
  if (odd !== -1) {
    throw new CvError('E_CV_IMAGE', {
      what: `images[${odd}] is ${images[odd]?.width}×${images[odd]?.height} but images[0] is ${first.width}×${first.height}, and no size was given`,
      where: `${where} size`,
      fix: "Give size: [height, width] (the model's input size) so every image is resized to it.",
    });
  }
  return [first.height, first.width];
}

/**
 * Turns RGBA images into a float32 NHWC batch `[N, height, width, channels]` for a vision model: crop or
 * pad to the aspect ratio (`fit`), resize bilinearly with half-pixel centres (`tf.image.resizeBilinear`,
 * `alignCorners` false), grey or RGB, then normalise. The caller owns (and disposes) the returned tensor.
 *
 * @example
 * const photo = await readImage('chelsea.png');
 * const x = imagesToTensor([photo], { size: [224, 224], fit: 'cover', normalisation: 'imagenet' });
 * // x.shape: [1, 224, 224, 3]
 * x.dispose();
 */
export function imagesToTensor(images: readonly RgbaImage[], options: ImageTensorOptions = {}): tf.Tensor4D {
  const size = checkOptions(images, options);
  const { fit = imageTensorDefaults.fit, channels = 3, invert = false, padValue = 0 } = options;
  const norm = resolveNormalisation(
    options.normalisation ?? imageTensorDefaults.normalisation,
    channels,
    'imagesToTensor normalisation',
  );
  return tf.tidy(() => {
    const fitted = images.map((image) => {
      const crop = cropFor(image, options.size, fit);
      const pixels = tf.tensor3d(cropPixels(image, crop, channels, invert), [
        crop.height,
        crop.width,
        channels,
      ]);
      return fit === 'contain' ? letterbox(pixels, size, padValue) : resize(pixels, size);
    });
    const batch = tf.stack(fitted) as tf.Tensor4D;
    const scaled = tf.sub(tf.mul(batch, norm.scale), tf.tensor1d([...norm.mean]));
    return tf.div(scaled, tf.tensor1d([...norm.std]));
  });
}

/**
 * Reads PNG/JPEG files into one NHWC batch, as {@link imagesToTensor} (in the order of `paths`).
 *
 * @throws CvError `E_CV_FILE` for a missing file, `E_CV_IMAGE` for one that is not a PNG or JPEG.
 *
 * @example
 * const x = await readImageBatch(['a.png', 'b.jpg'], { size: [224, 224], normalisation: 'symmetric' });
 * x.dispose();
 */
export async function readImageBatch(
  paths: readonly string[],
  options: ImageTensorOptions = {},
): Promise<tf.Tensor4D> {
  const images = await Promise.all(paths.map((path) => readImage(path)));
  return imagesToTensor(images, options);
}
