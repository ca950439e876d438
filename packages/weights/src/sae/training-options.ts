import type { Key } from '@tdhook/core';

import type { DictionaryData } from './dictionary-data.js';

/**
 * What {@link trainSparseAutoencoder} and {@link trainTranscoder} report after every step.
 *
 * @example
 * const onProgress = (p: TrainingProgress) => console.log(p.step, p.loss.toFixed(4), p.l0, p.deadFraction);
 */
export interface TrainingProgress {
  /** Steps done so far (1 after the first batch). */
  readonly step: number;
  /** The epoch of this step, from 0. */
  readonly epoch: number;
  /** This batch's loss: mean ‖x − x̂‖² over rows plus the sparsity penalty. */
  readonly loss: number;
  /** This batch's reconstruction (or prediction) MSE, per entry: mean (x − x̂)². */
  readonly mse: number;
  /** This batch's mean number of active features per row. */
  readonly l0: number;
  /** Features that fired on none of the last `deadWindow` activations, as a fraction of all. */
  readonly deadFraction: number;
}

/**
 * What a training run did: one entry per step, and the dead fraction at the end.
 *
 * @example
 * const history = await trainSparseAutoencoder(sae, { data, key: 'resid' });
 * history.loss.at(-1); // the last batch's loss
 */
export interface TrainingHistory {
  /** Steps (batches) trained. */
  readonly steps: number;
  /** Epochs trained. */
  readonly epochs: number;
  /** Activations (rows) trained on, over all epochs. */
  readonly activations: number;
  /** Per step: the loss, the per-entry MSE, the mean L0. */
  readonly loss: readonly number[];
  readonly mse: readonly number[];
  readonly l0: readonly number[];
  /** The dead fraction after the last step. */
  readonly deadFraction: number;
}

/**
 * Options shared by the trainers.
 *
 * @example
 * const options: DictionaryTrainingOptions = { data: cache, epochs: 10, batchSize: 256, learningRate: 1e-3, seed: 0 };
 */
export interface DictionaryTrainingOptions {
  /** The activations: a TensorDict, or `() => AsyncIterable<TensorDict>` (called once per epoch). */
  readonly data: DictionaryData;
  /** Passes over the data. Default 1. */
  readonly epochs?: number;
  /** Rows per Adam step. Default 256. */
  readonly batchSize?: number;
  /** Adam's learning rate (β₁ 0.9, β₂ 0.999, ε 1e-8). Default 1e-3. */
  readonly learningRate?: number;
  /**
   * The L1 penalty λ of a ReLU dictionary: loss = mean ‖x − x̂‖² + λ · mean Σⱼ fⱼ‖dⱼ‖ (dⱼ a decoder direction; with
   * normalizeDecoder on, ‖dⱼ‖ = 1 and this is plain L1). Ignored for TopK. Default 1e-2.
   */
  readonly l1?: number;
  /** Seed of the row shuffling. Default 0. */
  readonly seed?: number;
  /** Shuffle rows every epoch (a TensorDict: all rows; a stream: within each dict). Default true. */
  readonly shuffle?: boolean;
  /** A feature is dead when it fired on none of the last this many activations. Default 10 000. */
  readonly deadWindow?: number;
  /**
   * Start from the data. Before the first step, the biases: `b_dec` = the first batch's mean row (of the input
   * for an autoencoder, of the target for a transcoder); for a transcoder also `b_enc` = −mean input · `W_enc`,
   * which centres its input as an autoencoder's pre-encoder bias does. A transcoder's features also take their
   * encoder and decoder directions from the rows of its first batches (feature j: row j's centred input and
   * target, unit norm), one feature per row until every feature has one. Default true; turn it off to continue
   * training a dictionary.
   */
  readonly initializeFromData?: boolean;
  /** Called after every step. */
  readonly onProgress?: (progress: TrainingProgress) => void;
  /** Stops training between steps with a DictionaryTrainingError `E_SAE_ABORTED`. */
  readonly signal?: AbortSignal;
}

/**
 * Options of {@link trainSparseAutoencoder}: the shared ones and the key of the activations.
 *
 * @example
 * const options: SparseAutoencoderTrainingOptions = { data: cache, key: 'blocks.0.hook_resid_post', epochs: 5 };
 */
export interface SparseAutoencoderTrainingOptions extends DictionaryTrainingOptions {
  /** The key of the activations in the data. */
  readonly key: Key;
}

/**
 * Options of {@link trainTranscoder}: the shared ones and the keys of the input and the target.
 *
 * @example
 * const options: TranscoderTrainingOptions = { data: cache, inputKey: 'mlp_in', targetKey: 'mlp_out' };
 */
export interface TranscoderTrainingOptions extends DictionaryTrainingOptions {
  /** The key of the input activations. */
  readonly inputKey: Key;
  /** The key of the activations to predict. */
  readonly targetKey: Key;
}
