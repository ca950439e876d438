import { TdhookError, type TdhookErrorInit } from '@tdhook/core';

/**
 * The codes a {@link TokenizerError} carries:
 * - `E_TOKENIZER_FILE`: a folder or file does not exist or cannot be read;
 * - `E_TOKENIZER_FORMAT`: a file is there but malformed (bad JSON, a bad line in merges.txt, a vocabulary
 *   with holes or duplicates, a merge whose parts are not in the vocabulary);
 * - `E_TOKENIZER_MODEL`: a well-formed file describes a tokenizer this package does not implement (a
 *   `tokenizer.json` whose model is not BPE, or whose pre-tokeniser is not GPT-2's byte-level one);
 * - `E_TOKENIZER_TOKEN`: text or ids the tokenizer cannot represent (a character missing from a char
 *   vocabulary without an unknown token, an id outside the vocabulary).
 *
 * @example
 * const code: TokenizerErrorCode = 'E_TOKENIZER_FILE';
 */
export type TokenizerErrorCode =
  'E_TOKENIZER_FILE' | 'E_TOKENIZER_FORMAT' | 'E_TOKENIZER_MODEL' | 'E_TOKENIZER_TOKEN';

/**
 * What goes wrong while loading or running a tokenizer: what happened, where (the file, line, token or
 * id), and how to fix it. Recognise it with `TdhookError.is(error)` and branch on `error.code`.
 *
 * @example
 * import { TdhookError } from '@tdhook/core';
 * try {
 *   await loadTokenizer('models/missing');
 * } catch (error) {
 *   if (TdhookError.is(error) && error.code === 'E_TOKENIZER_FILE') console.error(error.message);
 * }
 */
export class TokenizerError extends TdhookError {
  override readonly name: string = 'TokenizerError';
  override readonly code: TokenizerErrorCode;
  /** What happened, without the where and fix parts of the message. */
  readonly what: string;

  constructor(code: TokenizerErrorCode, init: TdhookErrorInit) {
    super({ code, ...init });
    this.code = code;
    this.what = init.what;
  }
}
