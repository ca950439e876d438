import { InvalidValueError } from '@tdhook/core';

/**
 * Progress of a TF.js-trained estimator's fit, reported every 10 epochs (and after the last).
 *
 * @example
 * const onProgress = (progress: TrainingProgress) => console.log(progress.message); // 'Epoch 10/100'
 */
export interface TrainingProgress {
  readonly epoch: number;
  readonly epochs: number;
  /** The mean loss over the epoch's mini-batches. */
  readonly loss: number;
  /** `Epoch ${epoch}/${epochs}`, the original's verbose line. */
  readonly message: string;
}

/**
 * Options every TF.js-trained estimator shares (the original's `TorchEstimator`): Adam on shuffled
 * mini-batches, seeded; cross-entropy with `classes`, mean squared error without.
 *
 * @example
 * const options: TrainingOptions = { classes: 2, epochs: 200, learningRate: 1e-2, batchSize: 32, seed: 1 };
 */
export interface TrainingOptions {
  /** Classify into `classes` labels `0 … classes−1` (cross-entropy; `predict` returns the argmax, int32 `[n]`). Without it: regression. */
  readonly classes?: number;
  /** Regression only: targets per row; `fit` wants `y` of shape `[n, outputs]` exactly. Default 1. */
  readonly outputs?: number;
  /** Passes over the data per `fit`. Default 100. */
  readonly epochs?: number;
  /** Adam's step size. Default 1e-3. */
  readonly learningRate?: number;
  /** Rows per Adam step. Default 128. */
  readonly batchSize?: number;
  /** Seeds the initial weights and the shuffles (`seededRandom`): equal seeds, equal draws. Default 0. */
  readonly seed?: number;
  /** Called every 10 epochs with "Epoch e/E" (the original's `verbose`). Default: none. */
  readonly onProgress?: (progress: TrainingProgress) => void;
}

/** {@link TrainingOptions} with every default filled in. */
export interface Training {
  readonly classes: number | undefined;
  /** Output features: `classes`, or the regression `outputs`. */
  readonly features: number;
  readonly epochs: number;
  readonly learningRate: number;
  readonly batchSize: number;
  readonly seed: number;
  readonly onProgress: ((progress: TrainingProgress) => void) | undefined;
}

function whole(value: unknown, name: string, where: string, minimum: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < minimum) {
    throw new InvalidValueError({
      what: `${name} must be a whole number of at least ${minimum}, got ${JSON.stringify(value)}`,
      where: `${where}: ${name}`,
    });
  }
  return value;
}

/**
 * Checks {@link TrainingOptions} and fills the defaults.
 *
 * @example
 * trainingOf({ classes: 2 }, 'linearProbe').epochs; // 100
 */
export function trainingOf(options: TrainingOptions, where: string): Training {
  const { classes, outputs, learningRate = 1e-3, onProgress } = options;
  if (classes !== undefined) whole(classes, 'classes', where, 2);
  if (outputs !== undefined) whole(outputs, 'outputs', where, 1);
  if (classes !== undefined && outputs !== undefined) {
    throw new InvalidValueError({
      what: 'classes and outputs exclude each other',
      where,
      fix: 'Give classes for a classifier, outputs (or nothing) for a regression.',
    });
  }
  if (typeof learningRate !== 'number' || !(learningRate > 0) || !Number.isFinite(learningRate)) {
    throw new InvalidValueError({
      what: `learningRate must be a positive number, got ${JSON.stringify(learningRate)}`,
      where: `${where}: learningRate`,
    });
  }
  if (onProgress !== undefined && typeof onProgress !== 'function') {
    throw new InvalidValueError({ what: 'onProgress must be a function', where: `${where}: onProgress` });
  }
  return {
    classes,
    features: classes ?? outputs ?? 1,
    epochs: whole(options.epochs ?? 100, 'epochs', where, 0),
    learningRate,
    batchSize: whole(options.batchSize ?? 128, 'batchSize', where, 1),
    seed: whole(options.seed ?? 0, 'seed', where, 0),
    onProgress,
  };
}
