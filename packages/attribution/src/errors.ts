import { TdhookError, type TdhookErrorInit } from '@tdhook/core';

/**
 * An attribution could not be computed as asked: the backend lacks what a method needs, or a check the
 * caller requested failed (relevance conservation, a NaN in a result). `code` says which.
 *
 * @example
 * try {
 *   prepared.run(data);
 * } catch (error) {
 *   if (TdhookError.is(error) && error.code === 'E_ATTRIBUTION_CONSERVATION') console.error(error.fix);
 * }
 */
export class AttributionError extends TdhookError {
  override readonly name: string = 'AttributionError';

  constructor(
    code: 'E_ATTRIBUTION_BACKEND' | 'E_ATTRIBUTION_CONSERVATION' | 'E_ATTRIBUTION_NAN',
    init: TdhookErrorInit,
  ) {
    super({ code, ...init });
  }
}
