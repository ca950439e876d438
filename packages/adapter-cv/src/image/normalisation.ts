import { CvError } from '../errors.js';

/**
 * How 8-bit pixel values `p` become model inputs: `x = (p · scale − mean) / std`, with `mean` and `std` one
 * number or one per channel.
 *
 * @example
 * const caffeLike: Normalisation = { scale: 1, mean: [123.68, 116.78, 103.94], std: 1 };
 */
export interface Normalisation {
  readonly scale: number;
  readonly mean: number | readonly number[];
  readonly std: number | readonly number[];
}

/**
 * The names of the built-in {@link normalisations}.
 *
 * @example
 * const preset: NormalisationName = 'imagenet';
 */
export type NormalisationName = 'raw' | 'unit' | 'symmetric' | 'imagenet';

/**
 * Built-in normalisations:
 * - `raw`: pixel values as they are, 0–255;
 * - `unit`: `[0, 1]` (`p / 255`);
 * - `symmetric`: `[-1, 1]` (`p / 127.5 − 1`), MobileNet and Keras `preprocess_input` mode `'tf'`;
 * - `imagenet`: `unit`, then the ImageNet channel mean `[0.485, 0.456, 0.406]` and std
 *   `[0.229, 0.224, 0.225]` (torchvision, Keras mode `'torch'`).
 *
 * @example
 * const x = imagesToTensor([photo], { size: [224, 224], normalisation: 'symmetric' });
 * console.log(normalisations.symmetric); // { scale: 1 / 127.5, mean: 1, std: 1 }
 */
export const normalisations: Readonly<Record<NormalisationName, Normalisation>> = {
  raw: { scale: 1, mean: 0, std: 1 },
  unit: { scale: 1 / 255, mean: 0, std: 1 },
  symmetric: { scale: 1 / 127.5, mean: 1, std: 1 },
  imagenet: { scale: 1 / 255, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] },
};

/** A normalisation with `mean` and `std` spelled out per channel. */
export interface ResolvedNormalisation {
  readonly scale: number;
  readonly mean: readonly number[];
  readonly std: readonly number[];
}

function perChannel(
  value: number | readonly number[],
  channels: number,
  name: string,
  where: string,
): number[] {
  const list = typeof value === 'number' ? Array<number>(channels).fill(value) : [...value];
  if (list.length !== channels || list.some((v) => !Number.isFinite(v))) {
    throw new CvError('E_CV_IMAGE', {
      what: `The normalisation ${name} ${JSON.stringify(value)} does not fit ${channels} channel(s)`,
      where,
      fix: `Give one finite number or ${channels}; for 1-channel (grey) inputs use 'unit', 'symmetric', 'raw' or a scalar mean and std.`,
    });
  }
  return list;
}

/** Looks up a preset and checks a custom normalisation against the channel count. */
export function resolveNormalisation(
  normalisation: NormalisationName | Normalisation,
  channels: number,
  where: string,
): ResolvedNormalisation {
  const spec = typeof normalisation === 'string' ? normalisations[normalisation] : normalisation;
  if (
    typeof spec !== 'object' ||
    (spec as unknown) === null ||
    !Number.isFinite(spec.scale) ||
    spec.scale === 0
  ) {
    throw new CvError('E_CV_IMAGE', {
      what: `Unknown or invalid normalisation ${JSON.stringify(normalisation)}`,
      where,
      fix: `Use one of ${Object.keys(normalisations).join(', ')} or { scale, mean, std } with a non-zero scale.`,
    });
  }
  const std = perChannel(spec.std, channels, 'std', where);
  if (std.includes(0)) {
    throw new CvError('E_CV_IMAGE', {
      what: 'The normalisation std must not be 0',
      where,
      fix: 'Use std: 1 for none.',
    });
  }
  return { scale: spec.scale, mean: perChannel(spec.mean, channels, 'mean', where), std };
}
