import type { SparseAutoencoder } from './sparse-autoencoder.js';
import { trainDictionary } from './train-dictionary.js';
import type { SparseAutoencoderTrainingOptions, TrainingHistory } from './training-options.js';

/**
 * Trains a {@link SparseAutoencoder} in place with Adam on mini-batches of cached activations: loss =
 * mean ‖x − x̂‖² (+ λ·L1 for ReLU; TopK needs none), decoder directions rescaled to unit norm after every step,
 * `b_dec` started at the first batch's mean. Seeded: the same dictionary seed, `seed` and batches give the same
 * weights, bit for bit, on one backend. Errors: a missing key (MissingKeyError), a width other than
 * `inputSize` (ShapeMismatchError), NaN or infinite data (InvalidValueError), a loss that diverges or an abort
 * (DictionaryTrainingError). The optimizer's state is disposed before it returns.
 *
 * @example
 * const sae = new SparseAutoencoder({ inputSize: 128, features: 512, activation: { topK: 16 } });
 * const history = await trainSparseAutoencoder(sae, {
 *   data: cache,                    // TensorDict, or () => readActivationShards('cache/resid')
 *   key: 'blocks.0.hook_resid_post',
 *   epochs: 5,
 *   onProgress: ({ step, loss, l0 }) => console.log(step, loss, l0),
 * });
 */
export function trainSparseAutoencoder(
  sae: SparseAutoencoder,
  options: SparseAutoencoderTrainingOptions,
): Promise<TrainingHistory> {
  return trainDictionary(
    sae,
    { inputKey: options.key, inputSize: sae.inputSize, where: 'trainSparseAutoencoder' },
    options,
  );
}
