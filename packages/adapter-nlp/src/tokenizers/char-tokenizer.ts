import { byCodePoint } from './code-point-order.js';
import { parseTdhookTokenizerFile, type TdhookTokenizerFile } from './tdhook-tokenizer-file.js';
import type { SpecialTokens, TokenEncoding, TokenOffset, Tokenizer } from './tokenizer.js';
import { leadingTokens, TokenVocabulary, type VocabularyOptions } from './token-vocabulary.js';

/**
 * Options of {@link CharTokenizer.fromText}.
 *
 * @example
 * const options: CharTokenizerOptions = { unknown: '<unk>' };
 */
export type CharTokenizerOptions = VocabularyOptions;

/**
 * One token per Unicode character (code point; an emoji outside the BMP is one token). The vocabulary is
 * built from a corpus: `unknown` and special tokens first, then every character of the corpus (lowercased
 * if asked) in code-point order. `decode(encode(text)) === text` when nothing was lowercased or unknown.
 *
 * @example
 * const tokenizer = CharTokenizer.fromText('hello world');
 * tokenizer.encode('hold'); // [4, 6, 5, 2]  (vocab: ' ', 'd', 'e', 'h', 'l', 'o', 'r', 'w')
 * tokenizer.decode(tokenizer.encode('hold')); // 'hold'
 */
export class CharTokenizer implements Tokenizer {
  readonly kind = 'char' as const;
  readonly vocabSize: number;
  readonly specialTokens: SpecialTokens;
  readonly #vocabulary: TokenVocabulary;

  private constructor(file: TdhookTokenizerFile) {
    this.#vocabulary = new TokenVocabulary(file);
    this.vocabSize = file.vocab.length;
    this.specialTokens = this.#vocabulary.specialTokens;
  }

  /**
   * Builds the vocabulary from a corpus.
   *
   * @example
   * const tokenizer = CharTokenizer.fromText(mobyDickText, { unknown: '<unk>' });
   */
  static fromText(text: string, options: CharTokenizerOptions = {}): CharTokenizer {
    const leading = leadingTokens(options, 'CharTokenizer.fromText options');
    const lowercase = options.lowercase ?? false;
    const characters = new Set<string>();
    for (const character of text) characters.add(lowercase ? character.toLowerCase() : character);
    const sorted = [...characters].filter((character) => !leading.includes(character)).sort(byCodePoint);
    return new CharTokenizer({
      kind: 'char',
      vocab: [...leading, ...sorted],
      unknown: options.unknown ?? null,
      lowercase,
      ...(options.special === undefined ? {} : { special: { ...options.special } }),
    });
  }

  /**
   * A tokenizer from the parsed content of a `tdhook-tokenizer.json` of kind `char` (checked).
   *
   * @example
   * const tokenizer = CharTokenizer.fromJSON(JSON.parse(readFileSync('model/tdhook-tokenizer.json', 'utf8')));
   */
  static fromJSON(json: unknown): CharTokenizer {
    return new CharTokenizer(parseTdhookTokenizerFile(json, 'tdhook-tokenizer.json', 'char'));
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
   * Token ids of `text`, one per character.
   *
   * @example
   * CharTokenizer.fromText('ab').encode('ba'); // [1, 0]
   */
  encode(text: string): number[] {
    return this.encodeWithOffsets(text).ids;
  }

  /**
   * Token ids with each character's range (two UTF-16 units for a character outside the BMP).
   *
   * @example
   * CharTokenizer.fromText('ab').encodeWithOffsets('ba'); // { ids: [1, 0], offsets: [[0, 1], [1, 2]] }
   */
  encodeWithOffsets(text: string): TokenEncoding {
    const ids: number[] = [];
    const offsets: TokenOffset[] = [];
    let start = 0;
    for (const character of text) {
      ids.push(this.#vocabulary.idOf(character, start));
      offsets.push([start, start + character.length]);
      start += character.length;
    }
    return { ids, offsets };
  }

  /**
   * The tokens of `ids` concatenated (special and unknown tokens as their strings).
   *
   * @example
   * CharTokenizer.fromText('ab').decode([1, 0]); // 'ba'
   */
  decode(ids: readonly number[]): string {
    return this.#vocabulary.tokensOf(ids).join('');
  }

  /**
   * The token of an id.
   *
   * @example
   * CharTokenizer.fromText('ab').tokenToString(1); // 'b'
   */
  tokenToString(id: number): string {
    return this.#vocabulary.tokenOf(id, 'id');
  }

  /**
   * The tokens of ids.
   *
   * @example
   * CharTokenizer.fromText('ab').tokens([1, 0]); // ['b', 'a']
   */
  tokens(ids: readonly number[]): string[] {
    return this.#vocabulary.tokensOf(ids);
  }
}
