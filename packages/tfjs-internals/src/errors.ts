import * as tf from '@tensorflow/tfjs-core';

// The brand @tdhook/core's `TdhookError.is()` looks for (this package does not depend on core), and this
// class's own marker for `isInstance`: registry-wide symbols, so both work across copies of the package.
const tdhookErrorBrand = Symbol.for('tdhook.error');
const internalsErrorMarker = Symbol.for('tdhook.tfjs-internals.error');

/**
 * What went wrong in TF.js's internals:
 * - `E_TFJS_INTERNALS`: the installed tfjs-core does not work as this package relies on (the self-check
 *   failed), so gradients could come out wrong; nothing was computed.
 * - `E_TFJS_NO_GRADIENT`: a recorded kernel has no registered gradient.
 * - `E_TFJS_NOT_REGISTERED`: a patch wraps a kernel or gradient that is not registered.
 * - `E_TFJS_REENTERED`: a kernel or gradient patch that the self-check runs called back into the group of
 *   assumptions being checked.
 * - `E_TFJS_DISPOSED`: a `RecordedPass` was used after `dispose()`.
 * - `E_TFJS_INVALID_CALL`: an argument this package cannot work with (a kernel with several outputs given
 *   to `runKernel`).
 *
 * @example
 * const code: TfjsInternalsErrorCode = 'E_TFJS_INTERNALS';
 */
export type TfjsInternalsErrorCode =
  | 'E_TFJS_INTERNALS'
  | 'E_TFJS_NO_GRADIENT'
  | 'E_TFJS_NOT_REGISTERED'
  | 'E_TFJS_REENTERED'
  | 'E_TFJS_DISPOSED'
  | 'E_TFJS_INVALID_CALL';

/**
 * What a {@link TfjsInternalsError} is built from, in the shape of @tdhook/core's error details.
 *
 * @example
 * const details: TfjsInternalsErrorDetails = {
 *   code: 'E_TFJS_NO_GRADIENT',
 *   what: 'No gradient is registered for the kernel Einsum',
 *   where: 'backward pass',
 *   fix: 'Register one with registerGradientPatch().',
 * };
 */
export interface TfjsInternalsErrorDetails {
  readonly code: TfjsInternalsErrorCode;
  /** What happened, in one sentence. */
  readonly what: string;
  /** Where: the check, kernel or step concerned. */
  readonly where?: string;
  /** How to fix it. */
  readonly fix?: string;
  readonly cause?: unknown;
}

/**
 * The error of @tdhook/tfjs-internals. It names the installed tfjs-core (`tfjsCoreVersion`, also in the
 * message) and carries @tdhook/core's brand, so `TdhookError.is(error)` recognises it too. Use
 * {@link TfjsInternalsError.isInstance} rather than `instanceof`: it also works across package copies.
 *
 * @example
 * try {
 *   checkTfjsInternals();
 * } catch (error) {
 *   if (TfjsInternalsError.isInstance(error) && error.code === 'E_TFJS_INTERNALS') console.error(error.fix);
 * }
 */
export class TfjsInternalsError extends Error {
  override readonly name: string = 'TfjsInternalsError';
  readonly code: TfjsInternalsErrorCode;
  readonly where: string | undefined;
  readonly fix: string | undefined;
  /** `tf.version_core` of the tfjs-core this ran on. */
  readonly tfjsCoreVersion: string;

  constructor(details: TfjsInternalsErrorDetails) {
    const where = details.where === undefined ? '' : ` (at ${details.where})`;
    const fix = details.fix === undefined ? '' : ` ${details.fix}`;
    super(
      `${details.what}${where}.${fix}`,
      details.cause === undefined ? undefined : { cause: details.cause },
    );
    this.code = details.code;
    this.where = details.where;
    this.fix = details.fix;
    this.tfjsCoreVersion = tf.version_core;
    Object.defineProperty(this, tdhookErrorBrand, { value: true });
    Object.defineProperty(this, internalsErrorMarker, { value: true });
  }

  /** True for a {@link TfjsInternalsError} from any copy of this package. */
  static isInstance(value: unknown): value is TfjsInternalsError {
    return (
      typeof value === 'object' &&
      value !== null &&
      (value as Record<symbol, unknown>)[internalsErrorMarker] === true
    );
  }
}
