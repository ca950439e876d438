// The brand @tdhook/core's `TdhookError.is()` looks for; this package does not depend on core.
const tdhookErrorBrand = Symbol.for('tdhook.error');

/**
 * What a {@link BackendCapabilityError} is built from, in the shape of @tdhook/core's error details.
 *
 * @example
 * const details: BackendCapabilityDetails = {
 *   what: 'TF.js 4.22 wasm computes MaxPool3D wrong',
 *   where: 'kernel MaxPool3D on wasm',
 *   fix: "Run this model on the cpu backend: initBackend({ backend: 'cpu' }).",
 * };
 */
export interface BackendCapabilityDetails {
  /** What the backend cannot do, in one sentence. */
  readonly what: string;
  /** The kernel and backend concerned. */
  readonly where?: string;
  /** How to get around it. */
  readonly fix: string;
}

/**
 * Thrown when the active backend cannot compute something correctly, such as the conv3d input gradient on
 * TF.js 4.22 wasm. `code` is `E_BACKEND_CAPABILITY`, and the error carries the `Symbol.for('tdhook.error')`
 * brand, so @tdhook/core's `TdhookError.is(error)` recognises it without this package depending on core.
 *
 * @example
 * try {
 *   tf.maxPool3d(x, 2, 2, 'valid');
 * } catch (error) {
 *   if (error instanceof BackendCapabilityError) console.error(error.fix);
 * }
 */
export class BackendCapabilityError extends Error {
  override readonly name: string = 'BackendCapabilityError';
  readonly code = 'E_BACKEND_CAPABILITY' as const;
  readonly where: string | undefined;
  readonly fix: string;

  constructor(details: BackendCapabilityDetails) {
    const where = details.where === undefined ? '' : ` (at ${details.where})`;
    super(`${details.what}${where}. ${details.fix}`);
    this.where = details.where;
    this.fix = details.fix;
    Object.defineProperty(this, tdhookErrorBrand, { value: true });
  }
}
