// The lookup table shared by the char and word tokenizers: tokens in id order, the unknown token, the
// special roles, and the file they are saved as.
import { InvalidValueError } from '@tdhook/core';

import type { TdhookTokenizerFile } from './tdhook-tokenizer-file.js';
import type { SpecialTokens, SpecialTokenStrings } from './tokenizer.js';
import { checkTokenIds } from './token-ids.js';
import { TokenizerError } from './tokenizer-error.js';

/**
 * Options shared by `CharTokenizer.fromText` and `WordTokenizer.fromTexts`.
 *
 * @example
 * const options: VocabularyOptions = { lowercase: true, unknown: '<unk>', special: { pad: '<pad>' } };
 */
export interface VocabularyOptions {
  /** Lowercase text before lookup (offsets still point into the original text). Default false. */
  readonly lowercase?: boolean;
  /** A token for text outside the vocabulary, placed first (id 0); null makes such text an error. Default null. */
  readonly unknown?: string | null;
  /** Tokens of other roles, placed after `unknown` in the order bos, eos, pad. Default none. */
  readonly special?: SpecialTokenStrings;
}

/** The tokens that come first in a new vocabulary: unknown, then the special roles (checked). */
export function leadingTokens(options: VocabularyOptions, where: string): string[] {
  const leading: string[] = [];
  const add = (token: unknown, option: string): void => {
    if (typeof token !== 'string' || token === '') {
      throw new InvalidValueError({
        what: `${option} must be a non-empty string, got ${JSON.stringify(token)}`,
        where,
        fix: 'Pass a token such as "<unk>".',
      });
    }
    if (!leading.includes(token)) leading.push(token);
  };
  if (options.unknown !== undefined && options.unknown !== null) add(options.unknown, 'unknown');
  for (const role of ['bos', 'eos', 'pad'] as const) {
    const token = options.special?.[role];
    if (token !== undefined) add(token, `special.${role}`);
  }
  return leading;
}

/** Tokens in id order with their lookups. */
export class TokenVocabulary {
  readonly tokens: readonly string[];
  readonly specialTokens: SpecialTokens;
  readonly #ids: Map<string, number>;
  readonly #file: TdhookTokenizerFile;
  readonly #unknownId: number | undefined;

  constructor(file: TdhookTokenizerFile) {
    this.#file = file;
    this.tokens = [...file.vocab];
    this.#ids = new Map(this.tokens.map((token, id) => [token, id]));
    this.#unknownId = file.unknown === null ? undefined : this.#ids.get(file.unknown);
    const special: { -readonly [K in keyof SpecialTokens]: number } = {};
    if (this.#unknownId !== undefined) special.unknown = this.#unknownId;
    for (const [role, token] of Object.entries(file.special ?? {}) as ['bos' | 'eos' | 'pad', string][]) {
      const id = this.#ids.get(token);
      if (id !== undefined) special[role] = id; // parseTdhookTokenizerFile checked it is there
    }
    this.specialTokens = special;
  }

  get lowercase(): boolean {
    return this.#file.lowercase;
  }

  /** The id of a piece of text (lowercased if the file says so), or the unknown id, or an error. */
  idOf(piece: string, start: number): number {
    const id = this.#ids.get(this.#file.lowercase ? piece.toLowerCase() : piece) ?? this.#unknownId;
    if (id === undefined) {
      const point = (piece.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0');
      throw new TokenizerError('E_TOKENIZER_TOKEN', {
        what: `${JSON.stringify(piece)} (starting with U+${point}) is not in the ${this.#file.kind} vocabulary, which has no unknown token`,
        where: `text index ${start}`,
        fix: 'Build the vocabulary from text that contains it, or give the tokenizer an unknown token (option unknown).',
      });
    }
    return id;
  }

  tokenOf(id: number, where: string): string {
    return this.tokensOf([id], where)[0] ?? '';
  }

  /** The tokens of ids, each checked (`E_TOKENIZER_TOKEN`). */
  tokensOf(ids: readonly number[], where = 'ids'): string[] {
    checkTokenIds(ids, this.tokens.length, where);
    return ids.map((id) => this.tokens[id] ?? '');
  }

  toFile(): TdhookTokenizerFile {
    return { ...this.#file, vocab: [...this.#file.vocab] };
  }
}
