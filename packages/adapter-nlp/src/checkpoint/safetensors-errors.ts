import { SafetensorsError } from '@tdhook/core/plugin';

import { CheckpointError } from './checkpoint-error.js';

/** Core's codec errors as this package's CheckpointError (same what, file, tensor and fix); others unchanged. */
export function asCheckpointError(error: unknown): unknown {
  if (!(error instanceof SafetensorsError)) return error;
  const code = error.code === 'E_SAFETENSORS_FORMAT' ? 'E_SAFETENSORS_FORMAT' : 'E_CHECKPOINT_TENSOR';
  return new CheckpointError(code, {
    what: error.what,
    ...(error.file === undefined ? {} : { file: error.file }),
    ...(error.tensor === undefined ? {} : { tensor: error.tensor }),
    ...(error.fix === undefined ? {} : { fix: error.fix }),
    cause: error,
  });
}
