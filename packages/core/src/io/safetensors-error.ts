import { TdhookError, type TdhookErrorInit } from '../errors.js';

/**
 * The stable codes of {@link SafetensorsError}:
 * - `E_SAFETENSORS_FORMAT`: bytes that are not a valid safetensors file (header, dtype, shape, offsets);
 * - `E_SAFETENSORS_TENSOR`: a tensor that cannot be written (a reserved name, a dtype or shape that does not fit).
 *
 * @example
 * const code: SafetensorsErrorCode = 'E_SAFETENSORS_FORMAT';
 */
export type SafetensorsErrorCode = 'E_SAFETENSORS_FORMAT' | 'E_SAFETENSORS_TENSOR';

/**
 * What a {@link SafetensorsError} is built from: the core details plus the file and tensor concerned.
 *
 * @example
 * const init: SafetensorsErrorInit = { what: 'The header is not JSON', file: 'shard-00000.safetensors' };
 */
export interface SafetensorsErrorInit extends Omit<TdhookErrorInit, 'where'> {
  /** The file concerned, as the caller named it (default `'safetensors bytes'` when reading). */
  readonly file?: string;
  /** The tensor concerned, as the file names it. */
  readonly tensor?: string;
}

/**
 * Bytes that are not a valid safetensors file, or a tensor that cannot be written as one. `code` says which
 * ({@link SafetensorsErrorCode}); `file` and `tensor` say where. Nothing is returned half-read or half-written.
 *
 * @example
 * try {
 *   readSafetensors(bytes, { file: 'shard-00000.safetensors' });
 * } catch (error) {
 *   if (error instanceof SafetensorsError) console.error(error.file, error.tensor, error.message);
 * }
 */
export class SafetensorsError extends TdhookError {
  override readonly name: string = 'SafetensorsError';
  override readonly code: SafetensorsErrorCode;
  /** What went wrong, without where and fix (the message has all three). */
  readonly what: string;
  readonly file: string | undefined;
  readonly tensor: string | undefined;

  constructor(code: SafetensorsErrorCode, init: SafetensorsErrorInit) {
    const parts = [
      init.file === undefined ? undefined : `file ${init.file}`,
      init.tensor === undefined ? undefined : `tensor ${init.tensor}`,
    ].filter((part) => part !== undefined);
    super({
      code,
      what: init.what,
      ...(parts.length === 0 ? {} : { where: parts.join(', ') }),
      ...(init.fix === undefined ? {} : { fix: init.fix }),
      ...(init.cause === undefined ? {} : { cause: init.cause }),
    });
    this.code = code;
    this.what = init.what;
    this.file = init.file;
    this.tensor = init.tensor;
  }
}
