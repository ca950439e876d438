// special_tokens_map.json, as Hugging Face's save_pretrained writes it next to GPT-2's vocabulary:
// { "bos_token": "<|endoftext|>", "eos_token": …, "pad_token": … }, each a string or { "content": … }.
import { isRecord } from './gpt2-vocabulary.js';
import type { SpecialTokenStrings } from './tokenizer.js';
import { TokenizerError } from './tokenizer-error.js';

/** The file name read by `loadTokenizer` and written by `saveTokenizer` for GPT-2 tokenizers. */
export const specialTokensMapFileName = 'special_tokens_map.json';

const fields = { bos: 'bos_token', eos: 'eos_token', pad: 'pad_token' } as const;

/** The bos/eos/pad roles of a parsed special_tokens_map.json (other entries are ignored). */
export function parseSpecialTokensMap(json: unknown, where: string): SpecialTokenStrings {
  if (!isRecord(json)) {
    throw new TokenizerError('E_TOKENIZER_FORMAT', {
      what: 'The file is not a JSON object',
      where,
      fix: 'Write { "eos_token": "<|endoftext|>", … } or remove the file.',
    });
  }
  const roles: { -readonly [K in keyof SpecialTokenStrings]: string } = {};
  for (const [role, field] of Object.entries(fields) as [keyof SpecialTokenStrings, string][]) {
    const value = json[field];
    if (value === undefined || value === null) continue;
    const token = isRecord(value) ? value['content'] : value;
    if (typeof token !== 'string') {
      throw new TokenizerError('E_TOKENIZER_FORMAT', {
        what: `${field} is neither a string nor { "content": string }`,
        where: `${where}, ${field}`,
        fix: 'Give the token as a string.',
      });
    }
    roles[role] = token;
  }
  return roles;
}

/** The special-token strings of a file in the form written to special_tokens_map.json. */
export function toSpecialTokensMap(special: SpecialTokenStrings): Record<string, string> {
  const map: Record<string, string> = {};
  for (const [role, field] of Object.entries(fields) as [keyof SpecialTokenStrings, string][]) {
    const token = special[role];
    if (token !== undefined) map[field] = token;
  }
  return map;
}
