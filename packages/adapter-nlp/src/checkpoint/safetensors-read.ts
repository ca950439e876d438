import {
  readSafetensors as readSafetensorsBytes,
  type ReadSafetensorsOptions,
  type SafetensorsContents,
} from '@tdhook/core/plugin';

import { asCheckpointError } from './safetensors-errors.js';

export type { ReadSafetensorsOptions, SafetensorsContents, SafetensorsTensor } from '@tdhook/core/plugin';

/**
 * Parses a safetensors file with core's codec (`@tdhook/core/plugin`, where the format is documented) and
 * reports a malformed file as a {@link CheckpointError} `E_SAFETENSORS_FORMAT` naming the file and tensor,
 * as every checkpoint error of this package is reported.
 *
 * @example
 * import { readFile } from 'node:fs/promises';
 * const { tensors } = readSafetensors(await readFile('model.safetensors'), { file: 'model.safetensors' });
 * const wte = tensors['transformer.wte.weight']; // { dtype: 'F32', shape: [96, 64], data: Float32Array }
 */
export function readSafetensors(
  bytes: Uint8Array | ArrayBuffer,
  options: ReadSafetensorsOptions = {},
): SafetensorsContents {
  try {
    return readSafetensorsBytes(bytes, options);
  } catch (error) {
    throw asCheckpointError(error);
  }
}
