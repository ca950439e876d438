import { fromByteLevel, toByteLevel, utf8Length } from './byte-level-alphabet.js';
import { BytePairEncoding } from './byte-pair-encoding.js';
import { gpt2PreTokenize } from './gpt2-pre-tokenize.js';
import {
  checkVocabulary,
  defaultGpt2SpecialTokens,
  parseMergesText,
  parseVocab,
  type Gpt2Vocabulary,
} from './gpt2-vocabulary.js';
import { parseHuggingFaceTokenizerJson } from './hugging-face-tokenizer-json.js';
import type {
  SpecialTokens,
  SpecialTokenStrings,
  TokenEncoding,
  TokenOffset,
  Tokenizer,
} from './tokenizer.js';
import { TokenizerError } from './tokenizer-error.js';
import { checkTokenIds } from './token-ids.js';

/**
 * Options of the {@link Gpt2Tokenizer} factories.
 *
 * @example
 * const options: Gpt2TokenizerOptions = { special: { eos: '<|endoftext|>', pad: '<|endoftext|>' } };
 */
export interface Gpt2TokenizerOptions {
  /**
   * Special-token roles, as tokens of the vocabulary. Default: `<|endoftext|>` as `bos` and `eos` where the
   * vocabulary has it (GPT-2's roles), else none.
   */
  readonly special?: SpecialTokenStrings;
}

/**
 * The vocabulary files of a GPT-2 tokenizer, as {@link Gpt2Tokenizer.toFiles} returns them.
 *
 * @example
 * const files: Gpt2TokenizerFiles = tokenizer.toFiles();
 * writeFileSync('vocab.json', JSON.stringify(files.vocab));
 * writeFileSync('merges.txt', files.merges);
 */
export interface Gpt2TokenizerFiles {
  /** The content of vocab.json: token (byte-level string) → id. */
  readonly vocab: Record<string, number>;
  /** The content of merges.txt, `#version: 0.2` line first. */
  readonly merges: string;
}

/**
 * GPT-2's byte-level BPE: text is cut by GPT-2's pattern, each piece becomes UTF-8 bytes written in
 * GPT-2's byte alphabet, and merges apply by rank. Ids are those of the vocabulary (GPT-2's own files give
 * GPT-2's ids: "Hello world" → [15496, 995]). `encode` treats all text as text: a special token string such
 * as `<|endoftext|>` in the text is encoded as ordinary characters; add special ids yourself.
 *
 * Offsets: each token's range covers every character at least one of whose UTF-8 bytes it holds. A
 * character split across tokens (an emoji made of two tokens) is therefore inside the ranges of all of
 * them; otherwise the ranges are consecutive, and together they always cover the whole text.
 *
 * @example
 * const tokenizer = Gpt2Tokenizer.fromVocabAndMerges(vocabJson, mergesText);
 * tokenizer.encode('Hello world'); // [15496, 995]
 * tokenizer.tokens([15496, 995]); // ['Hello', ' world']
 */
export class Gpt2Tokenizer implements Tokenizer {
  readonly kind = 'gpt2' as const;
  readonly vocabSize: number;
  readonly specialTokens: SpecialTokens;
  readonly #vocabulary: Gpt2Vocabulary;
  readonly #bpe: BytePairEncoding;
  readonly #display = new Map<number, string>();

  private constructor(vocabulary: Gpt2Vocabulary, options: Gpt2TokenizerOptions) {
    this.#vocabulary = vocabulary;
    this.vocabSize = vocabulary.tokens.length;
    this.specialTokens =
      options.special === undefined
        ? defaultGpt2SpecialTokens(vocabulary.ids)
        : specialIds(options.special, vocabulary.ids);
    this.#bpe = new BytePairEncoding(vocabulary.ids, vocabulary.merges);
  }

  /**
   * A tokenizer from GPT-2's two files: the parsed JSON of vocab.json and the text of merges.txt. Both are
   * checked (ids without gaps, all 256 byte symbols, every merge made of tokens); a bad file is a
   * `TokenizerError` `E_TOKENIZER_FORMAT` naming the entry or line.
   *
   * @example
   * import { readFileSync } from 'node:fs';
   * const tokenizer = Gpt2Tokenizer.fromVocabAndMerges(
   *   JSON.parse(readFileSync('gpt2/vocab.json', 'utf8')),
   *   readFileSync('gpt2/merges.txt', 'utf8'),
   * );
   */
  static fromVocabAndMerges(
    vocab: unknown,
    merges: string,
    options: Gpt2TokenizerOptions = {},
  ): Gpt2Tokenizer {
    const ids = parseVocab(vocab, 'vocab.json');
    const vocabulary = checkVocabulary(ids, parseMergesText(merges, 'merges.txt'), 'vocab.json + merges.txt');
    return new Gpt2Tokenizer(vocabulary, options);
  }

  /**
   * A tokenizer from the parsed JSON of a Hugging Face tokenizer.json whose model is BPE with the byte-level
   * pre-tokenizer (GPT-2 and its family). Other models are a `TokenizerError` `E_TOKENIZER_MODEL`; added
   * tokens join the vocabulary (for `decode` and `tokenToString`).
   *
   * @example
   * import { readFileSync } from 'node:fs';
   * const tokenizer = Gpt2Tokenizer.fromTokenizerJson(JSON.parse(readFileSync('gpt2/tokenizer.json', 'utf8')));
   */
  static fromTokenizerJson(json: unknown, options: Gpt2TokenizerOptions = {}): Gpt2Tokenizer {
    const { ids, merges } = parseHuggingFaceTokenizerJson(json, 'tokenizer.json');
    return new Gpt2Tokenizer(checkVocabulary(ids, merges, 'tokenizer.json'), options);
  }

  /**
   * Token ids of `text`.
   *
   * @example
   * tokenizer.encode("Hello world, it's 2024!"); // [15496, 995, 11, 340, 338, 48609, 0]
   */
  encode(text: string): number[] {
    const ids: number[] = [];
    for (const piece of gpt2PreTokenize(text)) ids.push(...this.#bpe.encode(toByteLevel(piece.text)));
    return ids;
  }

  /**
   * Token ids of `text` with the character range each came from (see the class notes on split characters).
   *
   * @example
   * tokenizer.encodeWithOffsets('Hello world'); // { ids: [15496, 995], offsets: [[0, 5], [5, 11]] }
   */
  encodeWithOffsets(text: string): TokenEncoding {
    const ids: number[] = [];
    const offsets: TokenOffset[] = [];
    for (const piece of gpt2PreTokenize(text)) {
      const byteLevel = toByteLevel(piece.text);
      const pieceIds = this.#bpe.encode(byteLevel);
      ids.push(...pieceIds);
      const ascii = byteLevel.length === piece.text.length;
      const bounds = ascii ? undefined : characterBounds(piece.text, byteLevel.length);
      let byte = 0;
      for (const id of pieceIds) {
        const end = byte + this.#token(id).length;
        offsets.push(
          bounds === undefined
            ? [piece.start + byte, piece.start + end]
            : [piece.start + (bounds.start[byte] ?? 0), piece.start + (bounds.end[end - 1] ?? 0)],
        );
        byte = end;
      }
    }
    return { ids, offsets };
  }

  /**
   * The text of token ids. Bytes that do not form valid UTF-8 (a sequence cut inside a character) become
   * U+FFFD. An id outside the vocabulary is a `TokenizerError` `E_TOKENIZER_TOKEN`.
   *
   * @example
   * tokenizer.decode([15496, 995]); // 'Hello world'
   */
  decode(ids: readonly number[]): string {
    checkTokenIds(ids, this.vocabSize, 'ids');
    const bytes: number[] = [];
    for (const id of ids) fromByteLevel(this.#token(id), bytes);
    return new TextDecoder('utf-8').decode(new Uint8Array(bytes));
  }

  /**
   * The display string of one token: its bytes as text (`'Ġworld'` → `' world'`). A token holding only part
   * of a character's bytes shows them as `<0xNN>`.
   *
   * @example
   * tokenizer.tokenToString(995); // ' world'
   */
  tokenToString(id: number): string {
    checkTokenIds([id], this.vocabSize, 'id');
    let display = this.#display.get(id);
    if (display === undefined) {
      const bytes: number[] = [];
      fromByteLevel(this.#token(id), bytes);
      try {
        display = new TextDecoder('utf-8', { fatal: true }).decode(new Uint8Array(bytes));
      } catch {
        display = bytes.map((byte) => `<0x${byte.toString(16).toUpperCase().padStart(2, '0')}>`).join('');
      }
      this.#display.set(id, display);
    }
    return display;
  }

  /**
   * The display strings of token ids.
   *
   * @example
   * tokenizer.tokens(tokenizer.encode('Hello world')); // ['Hello', ' world']
   */
  tokens(ids: readonly number[]): string[] {
    return ids.map((id) => this.tokenToString(id));
  }

  /**
   * The raw vocabulary string of an id, in GPT-2's byte alphabet (`'Ġworld'`), as vocab.json spells it.
   *
   * @example
   * tokenizer.idToToken(995); // 'Ġworld'
   */
  idToToken(id: number): string {
    checkTokenIds([id], this.vocabSize, 'id');
    return this.#token(id);
  }

  #token(id: number): string {
    return this.#vocabulary.tokens[id] ?? '';
  }

  /**
   * The content of vocab.json and merges.txt for this tokenizer (what `saveTokenizer` writes).
   *
   * @example
   * const { vocab, merges } = tokenizer.toFiles();
   */
  toFiles(): Gpt2TokenizerFiles {
    const vocab: Record<string, number> = {};
    this.#vocabulary.tokens.forEach((token, id) => {
      vocab[token] = id;
    });
    const lines = this.#vocabulary.merges.map(([left, right]) => `${left} ${right}`);
    return { vocab, merges: `#version: 0.2\n${lines.join('\n')}\n` };
  }
}

function specialIds(special: SpecialTokenStrings, ids: ReadonlyMap<string, number>): SpecialTokens {
  const roles: { -readonly [K in keyof SpecialTokens]: number } = {};
  for (const [role, token] of Object.entries(special) as [keyof SpecialTokenStrings, string | undefined][]) {
    if (token === undefined) continue;
    const id = ids.get(token);
    if (id === undefined) {
      throw new TokenizerError('E_TOKENIZER_TOKEN', {
        what: `The ${role} token ${JSON.stringify(token)} is not in the vocabulary`,
        where: `special.${role}`,
        fix: 'Name a token of vocab.json (GPT-2: "<|endoftext|>").',
      });
    }
    roles[role] = id;
  }
  return roles;
}

/** For each byte of a piece: the UTF-16 index where its character starts and where it ends. */
function characterBounds(text: string, byteCount: number): { start: Int32Array; end: Int32Array } {
  const start = new Int32Array(byteCount);
  const end = new Int32Array(byteCount);
  let byte = 0;
  let unit = 0;
  for (const character of text) {
    const length = utf8Length(character.codePointAt(0) ?? 0);
    for (let k = 0; k < length; k++) {
      start[byte + k] = unit;
      end[byte + k] = unit + character.length;
    }
    byte += length;
    unit += character.length;
  }
  return { start, end };
}
