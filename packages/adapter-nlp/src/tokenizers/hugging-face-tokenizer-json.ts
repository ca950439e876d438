// The part of a Hugging Face tokenizer.json this package implements: a BPE model with GPT-2's byte-level
// pre-tokeniser, no normaliser. Anything else is refused by name rather than tokenised differently.
import { isRecord, parseMergesArray, parseVocab } from './gpt2-vocabulary.js';
import { TokenizerError } from './tokenizer-error.js';

/** What a supported tokenizer.json holds: vocabulary (added tokens included) and merges. */
export interface HuggingFaceBpe {
  readonly ids: Map<string, number>;
  readonly merges: [string, string][];
}

function unsupported(where: string, what: string): TokenizerError {
  return new TokenizerError('E_TOKENIZER_MODEL', {
    what,
    where,
    fix: 'Only GPT-2-style byte-level BPE is supported (model BPE, pre_tokenizer ByteLevel without add_prefix_space, no normalizer); export the tokenizer as vocab.json + merges.txt or use a GPT-2-family tokenizer.',
  });
}

function checkPreTokenizer(value: unknown, where: string): void {
  if (!isRecord(value) || value['type'] !== 'ByteLevel') {
    const type = isRecord(value) ? String(value['type']) : JSON.stringify(value);
    throw unsupported(`${where}, pre_tokenizer`, `The pre-tokenizer is ${type}, not GPT-2's ByteLevel`);
  }
  if (value['add_prefix_space'] === true) {
    throw unsupported(
      `${where}, pre_tokenizer.add_prefix_space`,
      'The ByteLevel pre-tokenizer adds a prefix space, which GPT-2 does not',
    );
  }
  if (value['use_regex'] === false) {
    throw unsupported(
      `${where}, pre_tokenizer.use_regex`,
      "The ByteLevel pre-tokenizer does not use GPT-2's split pattern",
    );
  }
}

function checkModelOptions(model: Record<string, unknown>, where: string): void {
  const unset = (key: string): boolean =>
    model[key] === undefined || model[key] === null || model[key] === '' || model[key] === false;
  for (const key of [
    'dropout',
    'continuing_subword_prefix',
    'end_of_word_suffix',
    'byte_fallback',
    'ignore_merges',
  ]) {
    if (!unset(key))
      throw unsupported(
        `${where}, model.${key}`,
        `model.${key} is ${JSON.stringify(model[key])}, which GPT-2's BPE does not use`,
      );
  }
}

/** Checks a parsed tokenizer.json and returns its vocabulary (added tokens merged in) and merges. */
export function parseHuggingFaceTokenizerJson(json: unknown, where: string): HuggingFaceBpe {
  if (!isRecord(json) || !isRecord(json['model'])) {
    throw new TokenizerError('E_TOKENIZER_FORMAT', {
      what: 'The file has no "model" object',
      where,
      fix: 'A Hugging Face tokenizer.json holds { "model": { "type": "BPE", "vocab": …, "merges": … }, … }.',
    });
  }
  const model = json['model'];
  if (model['type'] !== undefined && model['type'] !== 'BPE') {
    throw unsupported(`${where}, model.type`, `The model type is ${JSON.stringify(model['type'])}, not BPE`);
  }
  if (json['normalizer'] !== undefined && json['normalizer'] !== null) {
    const type = isRecord(json['normalizer']) ? String(json['normalizer']['type']) : 'set';
    throw unsupported(`${where}, normalizer`, `The tokenizer has a ${type} normalizer, which GPT-2 does not`);
  }
  checkPreTokenizer(json['pre_tokenizer'], where);
  checkModelOptions(model, where);
  const ids = parseVocab(model['vocab'], `${where}, model.vocab`);
  const merges = parseMergesArray(model['merges'], where);
  const added = json['added_tokens'] ?? [];
  if (!Array.isArray(added)) {
    throw new TokenizerError('E_TOKENIZER_FORMAT', {
      what: 'added_tokens is not an array',
      where,
      fix: 'Remove it or list { "id", "content" } objects.',
    });
  }
  added.forEach((token: unknown, index) => {
    if (!isRecord(token) || typeof token['content'] !== 'string' || !Number.isInteger(token['id'])) {
      throw new TokenizerError('E_TOKENIZER_FORMAT', {
        what: 'An added token is not { "id": integer, "content": string }',
        where: `${where}, added_tokens[${index}]`,
        fix: 'Fix or remove the entry.',
      });
    }
    const known = ids.get(token['content']);
    if (known !== undefined && known !== token['id']) {
      throw new TokenizerError('E_TOKENIZER_FORMAT', {
        what: `The added token ${JSON.stringify(token['content'])} has the id ${String(token['id'])} but the vocabulary gives it ${known}`,
        where: `${where}, added_tokens[${index}]`,
        fix: 'Make the ids agree.',
      });
    }
    ids.set(token['content'], token['id'] as number);
  });
  return { ids, merges };
}
