import { InvalidValueError } from '@tdhook/core';

import { byCodePoint } from './code-point-order.js';
import { parseTdhookTokenizerFile, type TdhookTokenizerFile } from './tdhook-tokenizer-file.js';
import type { SpecialTokens, TokenEncoding, TokenOffset, Tokenizer } from './tokenizer.js';
import { leadingTokens, TokenVocabulary, type VocabularyOptions } from './token-vocabulary.js';
import { splitWords } from './word-split.js';

/**
 * Options of {@link WordTokenizer.fromTexts}.
 *
 * @example
 * const options: WordTokenizerOptions = { lowercase: true, unknown: '<unk>', minCount: 2 };
 */
export interface WordTokenizerOptions extends VocabularyOptions {
  /** Keep only words seen at least this often in the corpus. Default 1. */
  readonly minCount?: number;
  /** Keep at most this many tokens in all (unknown and special tokens included), most frequent first. Default: no limit. */
  readonly maxVocabSize?: number;
}

function positiveInteger(value: number | undefined, name: string): number | undefined {
  if (value !== undefined && (!Number.isInteger(value) || value < 1)) {
    throw new InvalidValueError({
      what: `${name} must be a positive integer, got ${String(value)}`,
      where: 'WordTokenizer.fromTexts options',
      fix: `Pass an integer ≥ 1 or leave ${name} out.`,
    });
  }
  return value;
}

/**
 * Word-level tokens: text splits into runs of letters/marks/digits and single other characters, whitespace
 * dropped (the exact rule is {@link wordPattern}). The vocabulary is built from a corpus: `unknown` and
 * special tokens first, then words by falling count, ties in code-point order. `decode` joins tokens with
 * one space, so it gives the text back only up to whitespace.
 *
 * @example
 * const tokenizer = WordTokenizer.fromTexts(['When Mary and John went to the store, John gave a drink to Mary.']);
 * tokenizer.tokens(tokenizer.encode('John gave Mary')); // ['John', 'gave', 'Mary']
 */
export class WordTokenizer implements Tokenizer {
  readonly kind = 'word' as const;
  readonly vocabSize: number;
  readonly specialTokens: SpecialTokens;
  readonly #vocabulary: TokenVocabulary;

  private constructor(file: TdhookTokenizerFile) {
    this.#vocabulary = new TokenVocabulary(file);
    this.vocabSize = file.vocab.length;
    this.specialTokens = this.#vocabulary.specialTokens;
  }

  /**
   * Builds the vocabulary from a corpus of texts.
   *
   * @example
   * const tokenizer = WordTokenizer.fromTexts(sentences, { unknown: '<unk>', special: { pad: '<pad>' } });
   */
  static fromTexts(texts: Iterable<string>, options: WordTokenizerOptions = {}): WordTokenizer {
    const leading = leadingTokens(options, 'WordTokenizer.fromTexts options');
    const minCount = positiveInteger(options.minCount, 'minCount') ?? 1;
    const maxVocabSize = positiveInteger(options.maxVocabSize, 'maxVocabSize') ?? Infinity;
    const lowercase = options.lowercase ?? false;
    const counts = new Map<string, number>();
    for (const text of texts) {
      for (const word of splitWords(text)) {
        const token = lowercase ? word.text.toLowerCase() : word.text;
        counts.set(token, (counts.get(token) ?? 0) + 1);
      }
    }
    const words = [...counts]
      .filter(([word, count]) => count >= minCount && !leading.includes(word))
      .sort(([a, countA], [b, countB]) => countB - countA || byCodePoint(a, b))
      .map(([word]) => word);
    const vocab = [...leading, ...words].slice(0, Math.max(leading.length, maxVocabSize));
    return new WordTokenizer({
      kind: 'word',
      vocab,
      unknown: options.unknown ?? null,
      lowercase,
      ...(options.special === undefined ? {} : { special: { ...options.special } }),
    });
  }

  /**
   * A tokenizer from the parsed content of a `tdhook-tokenizer.json` of kind `word` (checked).
   *
   * @example
   * const tokenizer = WordTokenizer.fromJSON(JSON.parse(readFileSync('model/tdhook-tokenizer.json', 'utf8')));
   */
  static fromJSON(json: unknown): WordTokenizer {
    return new WordTokenizer(parseTdhookTokenizerFile(json, 'tdhook-tokenizer.json', 'word'));
  }

  /**
   * The `tdhook-tokenizer.json` content (so `JSON.stringify(tokenizer)` writes the file).
   *
   * @example
   * writeFileSync('model/tdhook-tokenizer.json', JSON.stringify(tokenizer));
   */
  toJSON(): TdhookTokenizerFile {
    return this.#vocabulary.toFile();
  }

  /**
   * Token ids of `text`.
   *
   * @example
   * WordTokenizer.fromTexts(['a b b']).encode('b a'); // [0, 1]
   */
  encode(text: string): number[] {
    return this.encodeWithOffsets(text).ids;
  }

  /**
   * Token ids with the range of each word.
   *
   * @example
   * WordTokenizer.fromTexts(['a b b']).encodeWithOffsets('b  a'); // { ids: [0, 1], offsets: [[0, 1], [3, 4]] }
   */
  encodeWithOffsets(text: string): TokenEncoding {
    const ids: number[] = [];
    const offsets: TokenOffset[] = [];
    for (const word of splitWords(text)) {
      ids.push(this.#vocabulary.idOf(word.text, word.start));
      offsets.push([word.start, word.start + word.text.length]);
    }
    return { ids, offsets };
  }

  /**
   * The tokens of `ids` joined with single spaces.
   *
   * @example
   * WordTokenizer.fromTexts(['a b b']).decode([0, 1]); // 'b a'
   */
  decode(ids: readonly number[]): string {
    return this.tokens(ids).join(' ');
  }

  /**
   * The token of an id.
   *
   * @example
   * WordTokenizer.fromTexts(['a b b']).tokenToString(0); // 'b'
   */
  tokenToString(id: number): string {
    return this.#vocabulary.tokenOf(id, 'id');
  }

  /**
   * The tokens of ids.
   *
   * @example
   * WordTokenizer.fromTexts(['a b b']).tokens([0, 1]); // ['b', 'a']
   */
  tokens(ids: readonly number[]): string[] {
    return this.#vocabulary.tokensOf(ids);
  }
}
