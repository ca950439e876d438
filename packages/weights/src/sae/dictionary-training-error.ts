import { TdhookError, type TdhookErrorInit } from '@tdhook/core';

/**
 * Why training a sparse dictionary stopped: `E_SAE_DIVERGED` (the loss became NaN or infinite; the weights
 * were put back as they were before training; lower the learning rate) or `E_SAE_ABORTED` (the caller's
 * AbortSignal fired; the weights hold the last completed step).
 *
 * @example
 * try {
 *   await trainSparseAutoencoder(sae, { data, key: 'resid', signal: controller.signal });
 * } catch (error) {
 *   if (TdhookError.is(error) && error.code === 'E_SAE_ABORTED') console.log('stopped early');
 * }
 */
export class DictionaryTrainingError extends TdhookError {
  override readonly name: string = 'DictionaryTrainingError';
  constructor(code: 'E_SAE_DIVERGED' | 'E_SAE_ABORTED', details: TdhookErrorInit) {
    super({ ...details, code });
  }
}
