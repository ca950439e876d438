import { TdhookError, type TdhookErrorInit } from '@tdhook/core';

/**
 * A check the caller requested failed: `E_ATTRIBUTION_CONSERVATION`, relevance not conserved at an LRP rule
 * (`lrp({ checkConservation })`). Bad options and inputs are core's typed errors (`E_INVALID_VALUE`, …).
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

  constructor(code: 'E_ATTRIBUTION_CONSERVATION', init: TdhookErrorInit) {
    super({ code, ...init });
  }
}
