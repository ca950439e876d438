const errorBrand = Symbol.for('tdhook.error');

/**
 * Error codes, one per kind of mistake, stable across releases so that callers can branch on them.
 * Packages add their own codes with their own prefix (`E_ATTRIBUTION_…`).
 *
 * @example
 * const code: TdhookErrorCode = 'E_UNKNOWN_PATH';
 * const own: TdhookErrorCode = 'E_ATTRIBUTION_CONSERVATION'; // a package's own code, with its prefix
 */
export type TdhookErrorCode =
  | 'E_INVALID_KEY'
  | 'E_MISSING_KEY'
  | 'E_SHAPE_MISMATCH'
  | 'E_INVALID_VALUE'
  | 'E_INVALID_PATH'
  | 'E_UNKNOWN_PATH'
  | 'E_HOOK'
  | 'E_CONTEXT'
  | 'E_DISPOSED'
  | 'E_PLAN'
  | 'E_CONTRACT'
  | (string & {});

/**
 * What a {@link TdhookError} is built from: what went wrong, where, and how to fix it.
 *
 * @example
 * const details: TdhookErrorDetails = { code: 'E_UNKNOWN_PATH', what: "No submodule 'fc4'", where: "path 'fc4'" };
 * throw new TdhookError(details);
 */
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
 * Details of a subclass: everything but the code, which the subclass fixes.
 *
 * @example
 * const init: TdhookErrorInit = { what: 'Key segment 1 is a number', where: 'inKeys[0]' };
 * throw new InvalidKeyError(init); // code 'E_INVALID_KEY'
 */
export type TdhookErrorInit = Omit<TdhookErrorDetails, 'code'>;

/**
 * A TensorDict key that is not a non-empty string or a non-empty tuple of non-empty strings.
 *
 * @example
 * new InvalidKeyError({ what: 'Key segment 1 is a number', where: 'inKeys[0]' });
 */
export class InvalidKeyError extends TdhookError {
  override readonly name: string = 'InvalidKeyError';
  constructor(details: TdhookErrorInit) {
    super({ ...details, code: 'E_INVALID_KEY' });
  }
}

/**
 * A key that is not in a TensorDict (or a module input or output that is not mapped).
 *
 * @example
 * new MissingKeyError({ what: 'No entry ["attr","input"]', fix: 'Known keys: "input", "output".' });
 */
export class MissingKeyError extends TdhookError {
  override readonly name: string = 'MissingKeyError';
  constructor(details: TdhookErrorInit) {
    super({ ...details, code: 'E_MISSING_KEY' });
  }
}

/**
 * Shapes or dtypes that do not fit: a tensor whose leading dims differ from the batch shape, a replacement of
 * another shape, stacking TensorDicts with different keys.
 *
 * @example
 * new ShapeMismatchError({ what: 'Tensor [3,4] does not start with the batch shape [2]', where: '"input"' });
 */
export class ShapeMismatchError extends TdhookError {
  override readonly name: string = 'ShapeMismatchError';
  constructor(details: TdhookErrorInit) {
    super({ ...details, code: 'E_SHAPE_MISMATCH' });
  }
}

/**
 * A value or option of the wrong kind: a non-integer index, a NaN, a callback that is not a function.
 *
 * @example
 * new InvalidValueError({ what: 'featureAxis must be an integer, got 1.5', where: 'target' });
 */
export class InvalidValueError extends TdhookError {
  override readonly name: string = 'InvalidValueError';
  constructor(details: TdhookErrorInit) {
    super({ ...details, code: 'E_INVALID_VALUE' });
  }
}

/**
 * A module path that does not parse; the message names the position and what was expected there.
 *
 * @example
 * new InvalidPathError({ what: "Invalid module path 'items[0': missing closing ']'", where: 'position 8' });
 */
export class InvalidPathError extends TdhookError {
  override readonly name: string = 'InvalidPathError';
  constructor(details: TdhookErrorInit) {
    super({ ...details, code: 'E_INVALID_PATH' });
  }
}

/**
 * A module path that parses but names no submodule of the model.
 *
 * @example
 * new UnknownPathError({ what: "No submodule 'fc4'", where: "path 'fc4'", fix: 'Children here: fc1, fc2, fc3.' });
 */
export class UnknownPathError extends TdhookError {
  override readonly name: string = 'UnknownPathError';
  constructor(details: TdhookErrorInit) {
    super({ ...details, code: 'E_UNKNOWN_PATH' });
  }
}

/**
 * A hook that misbehaved: it returned something of the wrong type or shape, or threw.
 *
 * @example
 * new HookError({ what: 'A forward hook returned a string', where: "module 'fc2'" });
 */
export class HookError extends TdhookError {
  override readonly name: string = 'HookError';
  constructor(details: TdhookErrorInit) {
    super({ ...details, code: 'E_HOOK' });
  }
}

/**
 * A method context used out of order: entered twice, called after disposal, an operation outside its block.
 *
 * @example
 * new ContextError({ what: 'The prepared model was disposed', fix: 'Call prepare() again.' });
 */
export class ContextError extends TdhookError {
  override readonly name: string = 'ContextError';
  constructor(details: TdhookErrorInit) {
    super({ ...details, code: 'E_CONTEXT' });
  }
}

/**
 * An object used after `dispose()`.
 *
 * @example
 * new DisposedError({ what: 'This TensorDict was disposed', where: 'get("input")' });
 */
export class DisposedError extends TdhookError {
  override readonly name: string = 'DisposedError';
  constructor(details: TdhookErrorInit) {
    super({ ...details, code: 'E_DISPOSED' });
  }
}

/**
 * A composition that cannot run as planned: a missing input key, colliding outputs, incompatible steps.
 *
 * @example
 * new PlanError({ what: 'Step 1 needs ["cache","fc2"], which no earlier step writes', where: 'workflow' });
 */
export class PlanError extends TdhookError {
  override readonly name: string = 'PlanError';
  constructor(details: TdhookErrorInit) {
    super({ ...details, code: 'E_PLAN' });
  }
}

/**
 * A plugin that does not meet the method contract (wrong contract version, malformed id, missing function).
 *
 * @example
 * new ContractError({ what: "Plugin 'acme/x' declares contract 'tdhook.method/9'", fix: 'This core supports tdhook.method/1.' });
 */
export class ContractError extends TdhookError {
  override readonly name: string = 'ContractError';
  constructor(details: TdhookErrorInit) {
    super({ ...details, code: 'E_CONTRACT' });
  }
}
