import { TdhookError, type TdhookErrorInit } from '@tdhook/core';

/**
 * Input a text or attention view cannot draw (`code` `E_NLP_VIEW`): rows whose tokens, scores and offsets
 * disagree in length, offsets outside the text, non-finite scores, a pattern that is not `[head][query][key]`.
 *
 * @example
 * try {
 *   attributionAnsi([{ tokens: ['a', 'b'], scores: [1] }]);
 * } catch (error) {
 *   if (TdhookError.is(error) && error.code === 'E_NLP_VIEW') console.error(error.message);
 * }
 */
export class TextViewError extends TdhookError {
  override readonly name: string = 'TextViewError';

  constructor(init: TdhookErrorInit) {
    super({ code: 'E_NLP_VIEW', ...init });
  }
}
