/**
 * The word tokenizer's split rule: a token is either a maximal run of letters, combining marks and digits
 * (`\p{L}`, `\p{M}`, `\p{N}`), or any other single character that is not whitespace (punctuation, symbols,
 * emoji: one token each). Whitespace (`\p{White_Space}`) only separates tokens and is dropped. So
 * `"Mary's 2 cats, 3.5kg!"` splits into `Mary`, `'`, `s`, `2`, `cats`, `,`, `3`, `.`, `5kg`, `!`.
 *
 * @example
 * wordPattern.test('word'); // true
 */
export const wordPattern: RegExp = /[\p{L}\p{M}\p{N}]+|[^\p{White_Space}\p{L}\p{M}\p{N}]/gu;

/** The words of a text with the index where each starts. */
export function splitWords(text: string): { readonly text: string; readonly start: number }[] {
  return Array.from(text.matchAll(wordPattern), (match) => ({ text: match[0], start: match.index }));
}
