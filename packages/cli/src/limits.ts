/**
 * What `tdhook explain` accepts at most, so that a typo cannot hang a run or exhaust memory: integrated
 * gradients' steps and SmoothGrad's samples (each is a backward pass; 1000 IG steps take ~9 minutes on
 * MobileNetV2 with wasm), and the image side beyond which photos are downscaled (with a warning) first.
 *
 * @example
 * if (steps > explainLimits.steps) throw new UsageError(`--steps is at most ${explainLimits.steps}`);
 */
export const explainLimits: {
  readonly steps: number;
  readonly samples: number;
  readonly imageSide: number;
} = Object.freeze({ steps: 1000, samples: 1000, imageSide: 4096 });
