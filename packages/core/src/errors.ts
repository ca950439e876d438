const errorBrand = Symbol.for('tdhook.error');

/**
 * Error codes, one per kind of mistake, stable across releases so that callers can branch on them.
 * Packages add their own codes with their own prefix (`E_ATTRIBUTION_…`).
 */
export type TdhookErrorCode = 'E_INVALID_KEY' | (string & {});

/** What a {@link TdhookError} is built from: what went wrong, where, and how to fix it. */
export interface TdhookErrorDetails {
  /** A stable code, e.g. `E_INVALID_KEY`. */
  readonly code: TdhookErrorCode;
  /** What happened, in one sentence. */
  readonly what: string;
  /** Where: the key, module path, option or argument concerned. */
  readonly where?: string;
  /** How to fix it. */
  readonly fix?: string;
  readonly cause?: unknown;
}

/**
 * The base class of every error tdhook throws on purpose. The message says what happened, where, and how to
 * fix it; `code` is stable. Use {@link TdhookError.is} rather than `instanceof`: it also recognises errors
 * from a second copy of the package (ESM and CJS loaded side by side, or two installed versions).
 *
 * @example
 * try {
 *   toKeyPath(['attr', 3] as never);
 * } catch (error) {
 *   if (TdhookError.is(error) && error.code === 'E_INVALID_KEY') console.error(error.fix);
 * }
 */
export class TdhookError extends Error {
  override readonly name: string = 'TdhookError';
  readonly code: TdhookErrorCode;
  readonly where: string | undefined;
  readonly fix: string | undefined;

  constructor(details: TdhookErrorDetails) {
    const where = details.where === undefined ? '' : ` (at ${details.where})`;
    const fix = details.fix === undefined ? '' : ` ${details.fix}`;
    super(
      `${details.what}${where}.${fix}`,
      details.cause === undefined ? undefined : { cause: details.cause },
    );
    this.code = details.code;
    this.where = details.where;
    this.fix = details.fix;
    // A registry-wide symbol rather than the class identity, so that `is()` works across package copies.
    Object.defineProperty(this, errorBrand, { value: true });
  }

  /** True for any tdhook error, whichever copy of the package created it. */
  static is(value: unknown): value is TdhookError {
    return (
      typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[errorBrand] === true
    );
  }
}

/**
 * A TensorDict key that is not a non-empty string or a non-empty tuple of non-empty strings.
 *
 * @example
 * new InvalidKeyError({ what: 'Key segment 1 is a number', where: 'inKeys[0]' });
 */
export class InvalidKeyError extends TdhookError {
  override readonly name: string = 'InvalidKeyError';

  constructor(details: Omit<TdhookErrorDetails, 'code'>) {
    super({ ...details, code: 'E_INVALID_KEY' });
  }
}
