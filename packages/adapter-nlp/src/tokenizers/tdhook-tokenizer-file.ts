import { isRecord } from './gpt2-vocabulary.js';
import type { SpecialTokenStrings } from './tokenizer.js';
import { TokenizerError } from './tokenizer-error.js';

/**
 * The content of `tdhook-tokenizer.json`, the file of the char and word tokenizers trained here:
 * `vocab[id]` is the token of each id, `unknown` the token standing for text outside the vocabulary (or
 * null: such text is an error), `lowercase` whether text is lowercased before lookup. The optional
 * `special` names the tokens of other roles (each must be in `vocab`); files without it are valid.
 *
 * @example
 * const file: TdhookTokenizerFile = { kind: 'char', vocab: ['<unk>', 'a', 'b'], unknown: '<unk>', lowercase: false };
 */
export interface TdhookTokenizerFile {
  readonly kind: 'char' | 'word';
  readonly vocab: readonly string[];
  readonly unknown: string | null;
  readonly lowercase: boolean;
  readonly special?: SpecialTokenStrings;
}

/**
 * The file name `loadTokenizer` looks for and `saveTokenizer` writes for char and word tokenizers.
 *
 * @example
 * writeFileSync(join(folder, tdhookTokenizerFileName), JSON.stringify(CharTokenizer.fromText(corpus)));
 */
export const tdhookTokenizerFileName = 'tdhook-tokenizer.json';

const roles = ['bos', 'eos', 'pad'] as const;

function formatError(where: string, what: string, fix: string): TokenizerError {
  return new TokenizerError('E_TOKENIZER_FORMAT', { what, where, fix });
}

/**
 * Checks parsed JSON against the format; `where` names the file in errors. With `expected`, a file of the other
 * kind is `E_TOKENIZER_MODEL`.
 */
export function parseTdhookTokenizerFile(
  json: unknown,
  where: string,
  expected?: 'char' | 'word',
): TdhookTokenizerFile {
  if (!isRecord(json))
    throw formatError(where, 'The file is not a JSON object', 'Write it with saveTokenizer.');
  const { kind, vocab, unknown, lowercase, special } = json;
  if (kind !== 'char' && kind !== 'word') {
    throw new TokenizerError('E_TOKENIZER_MODEL', {
      what: `The kind is ${JSON.stringify(kind)}`,
      where: `${where}, kind`,
      fix: 'kind must be "char" or "word".',
    });
  }
  if (expected !== undefined && expected !== json['kind']) {
    throw new TokenizerError('E_TOKENIZER_MODEL', {
      what: `The file describes a ${String(json['kind'])} tokenizer, not a ${expected} tokenizer`,
      where: `${where}, kind`,
      fix: 'Use loadTokenizer, which picks the class from the file.',
    });
  }
  if (!Array.isArray(vocab) || vocab.length === 0) {
    throw formatError(`${where}, vocab`, 'vocab is not a non-empty array', 'List the tokens in id order.');
  }
  const seen = new Set<string>();
  vocab.forEach((token: unknown, id) => {
    if (typeof token !== 'string' || token === '') {
      throw formatError(
        `${where}, vocab[${id}]`,
        `The token ${JSON.stringify(token)} is not a non-empty string`,
        'Every token is a non-empty string.',
      );
    }
    if (seen.has(token))
      throw formatError(
        `${where}, vocab[${id}]`,
        `The token ${JSON.stringify(token)} appears twice`,
        'Each token appears once.',
      );
    seen.add(token);
  });
  if (unknown !== null && (typeof unknown !== 'string' || !seen.has(unknown))) {
    throw formatError(
      `${where}, unknown`,
      `unknown is ${JSON.stringify(unknown)}, not null or a token of vocab`,
      'Set it to null or to a token listed in vocab.',
    );
  }
  if (typeof lowercase !== 'boolean')
    throw formatError(`${where}, lowercase`, 'lowercase is not a boolean', 'Set it to true or false.');
  if (special !== undefined) {
    if (!isRecord(special))
      throw formatError(
        `${where}, special`,
        'special is not an object',
        'Map roles (bos, eos, pad) to tokens.',
      );
    for (const [role, token] of Object.entries(special)) {
      if (!(roles as readonly string[]).includes(role) || typeof token !== 'string' || !seen.has(token)) {
        throw formatError(
          `${where}, special.${role}`,
          `The role ${role} → ${JSON.stringify(token)} is not a known role with a token of vocab`,
          'Roles are bos, eos and pad; each names a token listed in vocab.',
        );
      }
    }
  }
  return {
    kind,
    vocab: vocab as string[],
    unknown,
    lowercase,
    ...(special === undefined ? {} : { special }),
  };
}
