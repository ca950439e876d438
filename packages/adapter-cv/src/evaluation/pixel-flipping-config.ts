// Option checks of pixelFlipping: they run before any model call, so a wrong option fails fast and
// nothing has to be cleaned up.
import type * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError, ShapeMismatchError } from '@tdhook/core';

import type {
  PatchRelevanceReduction,
  FlipOrder,
  PixelFlippingBaseline,
  PixelFlippingOptions,
} from './pixel-flipping-types.js';

/** The checked options, with defaults filled in and the image geometry spelled out. */
export interface PixelFlippingConfig {
  readonly predict: (x: tf.Tensor4D) => tf.Tensor2D;
  readonly images: tf.Tensor4D;
  readonly attributions: tf.Tensor;
  /** Images, height, width, channels. */
  readonly n: number;
  readonly h: number;
  readonly w: number;
  readonly c: number;
  readonly patchSize: number;
  /** Patches per image. */
  readonly patches: number;
  readonly steps: number;
  readonly target: readonly number[] | 'argmax';
  readonly baseline: PixelFlippingBaseline;
  readonly order: FlipOrder;
  readonly score: 'logit' | 'probability';
  readonly channelReduction: PatchRelevanceReduction;
  readonly seed: number;
  readonly blurSigma: number;
  readonly batchSize: number;
  readonly onProgress: ((done: number, total: number) => void) | undefined;
}

export const where = 'evaluation/pixelFlipping';

function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  return typeof value === 'number' || typeof value === 'boolean' || value == null
    ? String(value)
    : typeof value;
}

function wholeNumber(value: unknown, name: string, min: number, example: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    throw new InvalidValueError({
      what: `${name} must be a whole number ≥ ${min}, got ${show(value)}`,
      where,
      fix: `E.g. ${name}: ${example}.`,
    });
  }
  return value;
}

function oneOf<T extends string>(value: unknown, name: string, allowed: readonly T[]): T {
  if (!allowed.includes(value as T)) {
    throw new InvalidValueError({
      what: `${name} must be one of ${allowed.map(show).join(', ')}, got ${show(value)}`,
      where,
    });
  }
  return value as T;
}

function isTensor(value: unknown): value is tf.Tensor {
  return typeof value === 'object' && value !== null && 'shape' in value && 'dtype' in value;
}

/** Common divisors of h and w, for the error message of a patchSize that does not divide them. */
function commonDivisors(h: number, w: number): number[] {
  const found: number[] = [];
  for (let d = 1; d <= Math.min(h, w) && found.length < 8; d++) if (h % d === 0 && w % d === 0) found.push(d);
  return found;
}

function checkShapes(images: unknown, attributions: unknown): [number, number, number, number] {
  if (!isTensor(images) || images.rank !== 4) {
    throw new ShapeMismatchError({
      what: `images must be a [N, H, W, C] tensor, got ${isTensor(images) ? `[${images.shape.join(', ')}]` : show(images)}`,
      where,
    });
  }
  const [n, h, w, c] = images.shape as [number, number, number, number];
  if (!isTensor(attributions)) {
    throw new ShapeMismatchError({ what: `attributions must be a tensor, got ${show(attributions)}`, where });
  }
  const a = attributions.shape;
  const spatial = a.length >= 3 && a[0] === n && a[1] === h && a[2] === w;
  const channels = a.length === 3 || (a.length === 4 && (a[3] === c || a[3] === 1));
  if (!spatial || !channels) {
    throw new ShapeMismatchError({
      what: `attributions [${a.join(', ')}] do not fit images [${n}, ${h}, ${w}, ${c}]`,
      where,
      fix: `Give [${n}, ${h}, ${w}], [${n}, ${h}, ${w}, 1] or [${n}, ${h}, ${w}, ${c}].`,
    });
  }
  return [n, h, w, c];
}

function checkPatchSize(value: unknown, h: number, w: number): number {
  const size = wholeNumber(value, 'patchSize', 1, '8');
  // An error rather than padding or ragged edge patches: every point of the curve then flips patches of
  // one size, so the fractions are fractions of pixels too.
  if (h % size !== 0 || w % size !== 0) {
    throw new ShapeMismatchError({
      what: `patchSize ${size} does not divide the image size ${h}×${w}`,
      where,
      fix: `Use a patchSize dividing both (${commonDivisors(h, w).join(', ')}, …), or crop or resize the images.`,
    });
  }
  return size;
}

function checkTarget(value: unknown, n: number): readonly number[] | 'argmax' {
  if (value === 'argmax') return value;
  const valid =
    Array.isArray(value) &&
    value.length === n &&
    value.every((t) => typeof t === 'number' && Number.isSafeInteger(t) && t >= 0);
  if (!valid) {
    throw new InvalidValueError({
      what: `target must be 'argmax' or ${n} class indices (whole numbers ≥ 0), one per image`,
      where,
      fix: `E.g. target: [${Array.from({ length: Math.min(n, 3) }, () => 0).join(', ')}${n > 3 ? ', …' : ''}].`,
    });
  }
  return value as readonly number[];
}

function checkBaseline(value: unknown): PixelFlippingBaseline {
  if (typeof value === 'number') {
    if (Number.isFinite(value)) return value;
    throw new InvalidValueError({ what: `baseline must be a finite number, got ${show(value)}`, where });
  }
  return oneOf(value, 'baseline', ['mean', 'blur', 'uniform-noise'] as const);
}

function checkCallback(value: unknown): ((done: number, total: number) => void) | undefined {
  if (value !== undefined && typeof value !== 'function') {
    throw new InvalidValueError({ what: `onProgress must be a function, got ${show(value)}`, where });
  }
  return value as ((done: number, total: number) => void) | undefined;
}

/** Checks the options of {@link pixelFlipping} and fills in the defaults. */
export function configure(options: PixelFlippingOptions): PixelFlippingConfig {
  if (typeof options !== 'object' || (options as unknown) === null) {
    throw new InvalidValueError({
      what: 'Options must be an object',
      where,
      fix: 'Pass { predict, images, attributions }.',
    });
  }
  if (typeof options.predict !== 'function') {
    throw new InvalidValueError({
      what: 'predict must be a function from images to scores',
      where,
      fix: 'E.g. predict: (x) => model.predict(x) as tf.Tensor2D.',
    });
  }
  const [n, h, w, c] = checkShapes(options.images, options.attributions);
  const patchSize = checkPatchSize(options.patchSize ?? 1, h, w);
  const patches = (h / patchSize) * (w / patchSize);
  const steps = wholeNumber(options.steps ?? Math.min(20, patches), 'steps', 1, '20');
  if (steps > patches) {
    throw new InvalidValueError({
      what: `steps (${steps}) exceeds the ${patches} patches of size ${patchSize} per image`,
      where,
      fix: `Use steps ≤ ${patches}, or a smaller patchSize.`,
    });
  }
  const blurSigma = options.blurSigma ?? 2;
  if (typeof blurSigma !== 'number' || !Number.isFinite(blurSigma) || blurSigma <= 0) {
    throw new InvalidValueError({
      what: `blurSigma must be a finite number > 0, got ${show(blurSigma)}`,
      where,
    });
  }
  return {
    predict: options.predict,
    images: options.images,
    attributions: options.attributions,
    n,
    h,
    w,
    c,
    patchSize,
    patches,
    steps,
    target: checkTarget(options.target ?? 'argmax', n),
    baseline: checkBaseline(options.baseline ?? 0),
    order: oneOf(options.order ?? 'morf', 'order', ['morf', 'lerf', 'random'] as const),
    score: oneOf(options.score ?? 'logit', 'score', ['logit', 'probability'] as const),
    channelReduction: oneOf(options.channelReduction ?? 'sum', 'channelReduction', [
      'sum',
      'abs-sum',
      'max',
    ] as const),
    seed: wholeNumber(options.seed ?? 0, 'seed', 0, '42'),
    blurSigma,
    batchSize: wholeNumber(options.batchSize ?? 32, 'batchSize', 1, '32'),
    onProgress: checkCallback(options.onProgress),
  };
}
