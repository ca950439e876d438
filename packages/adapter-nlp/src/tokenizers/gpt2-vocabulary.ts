// Reading and checking GPT-2's vocabulary files (vocab.json, merges.txt) and the same data inside a Hugging
// Face tokenizer.json. Everything is checked before a tokenizer exists, so a bad file never yields a
// tokenizer that fails later on some input.
import { byteAlphabet } from './byte-level-alphabet.js';
import { TokenizerError } from './tokenizer-error.js';

/** A checked byte-level BPE vocabulary: `tokens[id]` is the token string of each id, without holes. */
export interface Gpt2Vocabulary {
  readonly tokens: readonly string[];
  readonly ids: ReadonlyMap<string, number>;
  readonly merges: readonly (readonly [string, string])[];
}

function formatError(where: string, what: string, fix: string): TokenizerError {
  return new TokenizerError('E_TOKENIZER_FORMAT', { what, where, fix });
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A token → id object (vocab.json, or `model.vocab` of tokenizer.json) as a map, ids checked. */
export function parseVocab(value: unknown, where: string): Map<string, number> {
  if (!isRecord(value)) {
    throw formatError(
      where,
      'The vocabulary is not a JSON object of token → id',
      'Use the vocab.json of a GPT-2 tokenizer.',
    );
  }
  const ids = new Map<string, number>();
  for (const [token, id] of Object.entries(value)) {
    if (typeof id !== 'number' || !Number.isInteger(id) || id < 0) {
      throw formatError(
        `${where}, token ${JSON.stringify(token)}`,
        `The id ${JSON.stringify(id)} is not a non-negative integer`,
        'Every value of the vocabulary must be an integer id.',
      );
    }
    ids.set(token, id);
  }
  return ids;
}

/** The text of merges.txt as pairs in rank order (an optional `#version` first line and blank lines skipped). */
export function parseMergesText(text: string, where: string): [string, string][] {
  const merges: [string, string][] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((line, index) => {
    if (line === '' || (index === 0 && line.startsWith('#version'))) return;
    const parts = line.split(' ');
    const [left = '', right = ''] = parts;
    if (parts.length !== 2 || left === '' || right === '') {
      throw formatError(
        `${where}, line ${index + 1}`,
        `The merge ${JSON.stringify(line)} is not two tokens separated by one space`,
        'Each line of merges.txt must read "left right".',
      );
    }
    merges.push([left, right]);
  });
  return merges;
}

/** The `model.merges` array of a tokenizer.json: "left right" strings or [left, right] pairs. */
export function parseMergesArray(value: unknown, where: string): [string, string][] {
  if (!Array.isArray(value)) {
    throw formatError(
      where,
      'model.merges is not an array',
      'A BPE tokenizer.json lists its merges as an array.',
    );
  }
  return value.map((entry: unknown, index) => {
    const parts = typeof entry === 'string' ? entry.split(' ') : entry;
    if (
      !Array.isArray(parts) ||
      parts.length !== 2 ||
      parts.some((part) => typeof part !== 'string' || part === '')
    ) {
      throw formatError(
        `${where}, model.merges[${index}]`,
        `The merge ${JSON.stringify(entry)} is not two tokens`,
        'Each merge must be "left right" or ["left", "right"].',
      );
    }
    return [parts[0] as string, parts[1] as string];
  });
}

/**
 * Checks that ids run from 0 without holes or repeats, that every byte symbol has a token (so any text
 * can be encoded), and that every merge's parts and result are tokens.
 */
export function checkVocabulary(
  ids: Map<string, number>,
  merges: [string, string][],
  where: string,
): Gpt2Vocabulary {
  const tokens: string[] = [];
  for (const [token, id] of ids) {
    if (tokens[id] !== undefined) {
      throw formatError(
        where,
        `Tokens ${JSON.stringify(tokens[id])} and ${JSON.stringify(token)} share the id ${id}`,
        'Each id must belong to one token.',
      );
    }
    tokens[id] = token;
  }
  for (let id = 0; id < tokens.length; id++) {
    if (tokens[id] === undefined) {
      throw formatError(
        where,
        `No token has the id ${id}, below the largest id ${tokens.length - 1}`,
        'Ids must run from 0 without gaps.',
      );
    }
  }
  const missingByte = Array.from(byteAlphabet).findIndex((symbol) => !ids.has(symbol));
  if (missingByte >= 0) {
    throw formatError(
      where,
      `The byte 0x${missingByte.toString(16).padStart(2, '0')} (symbol ${JSON.stringify(byteAlphabet.charAt(missingByte))}) has no token`,
      'A byte-level BPE vocabulary holds all 256 byte symbols.',
    );
  }
  merges.forEach(([left, right], rank) => {
    for (const part of [left, right, left + right]) {
      if (!ids.has(part)) {
        throw formatError(
          `${where}, merge ${rank} (${left} ${right})`,
          `The token ${JSON.stringify(part)} of this merge is not in the vocabulary`,
          'Use vocab.json and merges.txt of the same tokenizer.',
        );
      }
    }
  });
  return { tokens, ids, merges };
}

/** GPT-2's default roles: `<|endoftext|>` begins and ends sequences, where the vocabulary has it. */
export function defaultGpt2SpecialTokens(ids: ReadonlyMap<string, number>): { bos?: number; eos?: number } {
  const endOfText = ids.get('<|endoftext|>');
  return endOfText === undefined ? {} : { bos: endOfText, eos: endOfText };
}
