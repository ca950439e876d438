import { TdhookError, type TdhookErrorInit } from '@tdhook/core';

/**
 * A token attribution that cannot run as asked (`code` `E_NLP_ATTRIBUTION`): an unknown method, a target
 * token outside the vocabulary, a position outside the sequence, token ids that are not `[batch, pos]`,
 * a baseline token that does not exist. Thrown before anything runs.
 *
 * @example
 * try {
 *   attributeTokens(model, [[5, 17, 3]], { method: 'ig', target: { token: 999 } });
 * } catch (error) {
 *   if (TdhookError.is(error) && error.code === 'E_NLP_ATTRIBUTION') console.error(error.message);
 * }
 */
export class TextAttributionError extends TdhookError {
  override readonly name: string = 'TextAttributionError';

  constructor(init: TdhookErrorInit) {
    super({ code: 'E_NLP_ATTRIBUTION', ...init });
  }
}
