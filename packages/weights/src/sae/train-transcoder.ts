import type { Transcoder } from './transcoder.js';
import { trainDictionary } from './train-dictionary.js';
import type { TrainingHistory, TranscoderTrainingOptions } from './training-options.js';

/**
 * Trains a {@link Transcoder} in place to predict `targetKey`'s activations from `inputKey`'s (rows paired by
 * position): loss = mean ‖y − ŷ‖² (+ λ·L1 for ReLU), the same optimiser, batching, seeding, progress and errors
 * as {@link trainSparseAutoencoder}.
 *
 * @example
 * const transcoder = new Transcoder({ inputSize: 128, outputSize: 128, features: 512, activation: { topK: 16 } });
 * await trainTranscoder(transcoder, { data: cache, inputKey: 'mlp_in', targetKey: 'mlp_out', epochs: 5 });
 */
export function trainTranscoder(
  transcoder: Transcoder,
  options: TranscoderTrainingOptions,
): Promise<TrainingHistory> {
  return trainDictionary(
    transcoder,
    {
      inputKey: options.inputKey,
      inputSize: transcoder.inputSize,
      targetKey: options.targetKey,
      targetSize: transcoder.outputSize,
      where: 'trainTranscoder',
    },
    options,
  );
}
