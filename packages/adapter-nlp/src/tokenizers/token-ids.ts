import { TokenizerError } from './tokenizer-error.js';

/** Throws `E_TOKENIZER_TOKEN` for the first id that is not an integer in `[0, vocabSize)`. */
export function checkTokenIds(ids: readonly (number | undefined)[], vocabSize: number, where: string): void {
  ids.forEach((id, index) => {
    if (id === undefined) return;
    if (!Number.isInteger(id) || id < 0 || id >= vocabSize) {
      throw new TokenizerError('E_TOKENIZER_TOKEN', {
        what: `The id ${String(id)} is not a token id of this vocabulary of ${vocabSize}`,
        where: `${where}[${index}]`,
        fix: `Ids are integers from 0 to ${vocabSize - 1}.`,
      });
    }
  });
}
