import { TdhookError, type TdhookErrorInit } from '@tdhook/core';

/**
 * The stable codes of {@link CheckpointError}:
 * - `E_CHECKPOINT_FILE`: a folder or file is missing, unreadable, or (when saving) would be overwritten;
 * - `E_SAFETENSORS_FORMAT`: bytes that are not a valid safetensors file (header, dtype, shape, offsets);
 * - `E_CHECKPOINT_CONFIG`: a config.json field that is invalid or that tdhook's GPT-2 does not implement;
 * - `E_CHECKPOINT_TENSOR`: a tensor that is missing, unexpected, of the wrong shape or dtype, or that cannot be
 *   written.
 *
 * @example
 * const code: CheckpointErrorCode = 'E_CHECKPOINT_TENSOR';
 */
export type CheckpointErrorCode =
  'E_CHECKPOINT_FILE' | 'E_SAFETENSORS_FORMAT' | 'E_CHECKPOINT_CONFIG' | 'E_CHECKPOINT_TENSOR';

/**
 * What a {@link CheckpointError} is built from: the core details plus the file, tensor and config field
 * concerned, so that callers can branch on them without parsing the message.
 *
 * @example
 * const init: CheckpointErrorInit = { what: 'Tensor h.0.ln_1.weight is missing', file: 'model.safetensors', tensor: 'h.0.ln_1.weight' };
 */
export interface CheckpointErrorInit extends Omit<TdhookErrorInit, 'where'> {
  /** The file concerned (as given, or relative to the checkpoint folder). */
  readonly file?: string;
  /** The tensor concerned, as the file names it. */
  readonly tensor?: string;
  /** The config.json field concerned. */
  readonly field?: string;
}

function whereOf(init: CheckpointErrorInit): string | undefined {
  const parts = [
    init.file === undefined ? undefined : `file ${init.file}`,
    init.tensor === undefined ? undefined : `tensor ${init.tensor}`,
    init.field === undefined ? undefined : `field ${init.field}`,
  ].filter((part) => part !== undefined);
  return parts.length === 0 ? undefined : parts.join(', ');
}

/**
 * A checkpoint that cannot be read or written: a bad safetensors file, a config.json field tdhook does not
 * support, a missing, unexpected or misshapen tensor, a missing file. `code` says which
 * ({@link CheckpointErrorCode}); `file`, `tensor` and `field` say where. Nothing is left half-loaded or
 * half-written when one is thrown.
 *
 * @example
 * try {
 *   await loadGpt2Checkpoint('models/gpt2');
 * } catch (error) {
 *   if (TdhookError.is(error) && error.code === 'E_CHECKPOINT_CONFIG') console.error(error.message);
 * }
 */
export class CheckpointError extends TdhookError {
  override readonly name: string = 'CheckpointError';
  override readonly code: CheckpointErrorCode;
  readonly file: string | undefined;
  readonly tensor: string | undefined;
  readonly field: string | undefined;

  constructor(code: CheckpointErrorCode, init: CheckpointErrorInit) {
    const where = whereOf(init);
    super({
      code,
      what: init.what,
      ...(where === undefined ? {} : { where }),
      ...(init.fix === undefined ? {} : { fix: init.fix }),
      ...(init.cause === undefined ? {} : { cause: init.cause }),
    });
    this.code = code;
    this.file = init.file;
    this.tensor = init.tensor;
    this.field = init.field;
  }
}
