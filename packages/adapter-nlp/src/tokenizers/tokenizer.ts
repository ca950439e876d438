/**
 * A half-open character range `[start, end)` of the original string, in JavaScript string indices (UTF-16
 * code units), so that `text.slice(start, end)` is the text a token came from.
 *
 * @example
 * const span: TokenOffset = [0, 5]; // "Hello" in "Hello world"
 */
export type TokenOffset = readonly [start: number, end: number];

/**
 * Token ids with the character range of the original text each one came from (`offsets[i]` belongs to
 * `ids[i]`).
 *
 * @example
 * const encoding: TokenEncoding = { ids: [15496, 995], offsets: [[0, 5], [5, 11]] }; // GPT-2, "Hello world"
 */
export interface TokenEncoding {
  readonly ids: number[];
  readonly offsets: TokenOffset[];
}

/**
 * Ids of the special tokens a tokenizer has, by role; a role the format does not define is absent.
 * `encode` never produces them from text: put them into id sequences yourself.
 *
 * @example
 * const special: SpecialTokens = { bos: 50256, eos: 50256 }; // GPT-2's <|endoftext|>
 */
export interface SpecialTokens {
  /** Beginning of sequence. */
  readonly bos?: number;
  /** End of sequence (GPT-2: `<|endoftext|>`). */
  readonly eos?: number;
  /** Padding. */
  readonly pad?: number;
  /** Stands for text the vocabulary does not hold (char and word tokenizers). */
  readonly unknown?: number;
}

/**
 * What every tokenizer of this package does: text to ids (with character offsets), ids to text, and ids
 * to display strings for views.
 *
 * @example
 * const tokenizer: Tokenizer = await loadTokenizer('models/gpt2');
 * const { ids, offsets } = tokenizer.encodeWithOffsets('Hello world');
 * tokenizer.tokens(ids); // ['Hello', ' world']
 * tokenizer.decode(ids); // 'Hello world'
 */
export interface Tokenizer {
  /** Which kind of tokenizer this is. */
  readonly kind: 'char' | 'word' | 'gpt2';
  /** The number of ids: every id is in `[0, vocabSize)`. */
  readonly vocabSize: number;
  /** The special tokens the format defines, by role. */
  readonly specialTokens: SpecialTokens;
  /** Text to token ids. */
  encode(text: string): number[];
  /** Text to token ids and, for each, the character range of `text` it came from. */
  encodeWithOffsets(text: string): TokenEncoding;
  /** Token ids to text (the inverse of `encode` where the tokenizer keeps all of the text). */
  decode(ids: readonly number[]): string;
  /** The display string of one token, e.g. GPT-2's `Ġworld` as `' world'`. */
  tokenToString(id: number): string;
  /** The display strings of a sequence of ids: `ids.map(tokenToString)`. */
  tokens(ids: readonly number[]): string[];
}

/**
 * Special tokens by role, as token strings (how files and options name them); tokenizers turn them into
 * {@link SpecialTokens} ids.
 *
 * @example
 * const special: SpecialTokenStrings = { eos: '<|endoftext|>', pad: '<|endoftext|>' };
 */
export interface SpecialTokenStrings {
  readonly bos?: string;
  readonly eos?: string;
  readonly pad?: string;
}
