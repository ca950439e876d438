import {
  writeSafetensors as writeSafetensorsBytes,
  type SafetensorsTensorInput,
  type WriteSafetensorsOptions,
} from '@tdhook/core/plugin';

import { asCheckpointError } from './safetensors-errors.js';

export type { SafetensorsTensorInput, WriteSafetensorsOptions } from '@tdhook/core/plugin';

/**
 * Serialises tensors as one safetensors file with core's codec (`@tdhook/core/plugin`: the reference layout,
 * byte for byte) and reports a tensor that cannot be written as a {@link CheckpointError}
 * `E_CHECKPOINT_TENSOR`, as every checkpoint error of this package is reported.
 *
 * @example
 * import { writeFile } from 'node:fs/promises';
 * const bytes = writeSafetensors({ 'wte.weight': tf.randomNormal([96, 64]) });
 * await writeFile('model.safetensors', bytes);
 */
export function writeSafetensors(
  tensors: Readonly<Record<string, SafetensorsTensorInput>>,
  options: WriteSafetensorsOptions = {},
): Uint8Array {
  try {
    return writeSafetensorsBytes(tensors, options);
  } catch (error) {
    throw asCheckpointError(error);
  }
}
