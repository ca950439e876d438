/**
 * A backend was asked for that cannot run here: not installed, failed to initialise, or unknown. The message
 * says which, why, and how to install it. Recognised by `TdhookError.is()` of `@tdhook/core` (same brand).
 *
 * @example
 * try { await initBackend({ backend: 'tensorflow-gpu' }); } catch (error) { console.error(error.message); }
 */
export class BackendUnavailableError extends Error {
  override readonly name: string = 'BackendUnavailableError';
  readonly code: string = 'E_BACKEND_UNAVAILABLE';
  readonly backend: string;
  /** The package whose absence is why (it could not be found), when that is the reason. */
  readonly notInstalled?: string;

  constructor(backend: string, message: string, options?: { cause?: unknown; notInstalled?: string }) {
    super(message, options);
    this.backend = backend;
    if (options?.notInstalled !== undefined) this.notInstalled = options.notInstalled;
    Object.defineProperty(this, Symbol.for('tdhook.error'), { value: true });
  }
}
